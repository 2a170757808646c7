//! Countries (ISO 3166-1 alpha-2) and postal codes, for an organization's address.
//!
//! A country is one of the 249 officially assigned alpha-2 codes (user-assigned codes such as
//! "XK" and reserved ones such as "UK" are refused), typed in any case and stored upper-case.
//! A postal code is checked against the country's own format where the portal knows it
//! (Indonesia's five digits, the United States' ZIP and ZIP+4, …) and against a generic
//! international shape elsewhere: 2 to 10 letters and digits, single spaces or hyphens between
//! them. Countries that have no postal codes accept an empty one.

use std::fmt;

/// Every officially assigned ISO 3166-1 alpha-2 code with its English short name, sorted by code.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("AD", "Andorra"),
    ("AE", "United Arab Emirates"),
    ("AF", "Afghanistan"),
    ("AG", "Antigua and Barbuda"),
    ("AI", "Anguilla"),
    ("AL", "Albania"),
    ("AM", "Armenia"),
    ("AO", "Angola"),
    ("AQ", "Antarctica"),
    ("AR", "Argentina"),
    ("AS", "American Samoa"),
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("AW", "Aruba"),
    ("AX", "Åland Islands"),
    ("AZ", "Azerbaijan"),
    ("BA", "Bosnia and Herzegovina"),
    ("BB", "Barbados"),
    ("BD", "Bangladesh"),
    ("BE", "Belgium"),
    ("BF", "Burkina Faso"),
    ("BG", "Bulgaria"),
    ("BH", "Bahrain"),
    ("BI", "Burundi"),
    ("BJ", "Benin"),
    ("BL", "Saint Barthélemy"),
    ("BM", "Bermuda"),
    ("BN", "Brunei Darussalam"),
    ("BO", "Bolivia"),
    ("BQ", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "Brazil"),
    ("BS", "Bahamas"),
    ("BT", "Bhutan"),
    ("BV", "Bouvet Island"),
    ("BW", "Botswana"),
    ("BY", "Belarus"),
    ("BZ", "Belize"),
    ("CA", "Canada"),
    ("CC", "Cocos (Keeling) Islands"),
    ("CD", "Congo, Democratic Republic of the"),
    ("CF", "Central African Republic"),
    ("CG", "Congo"),
    ("CH", "Switzerland"),
    ("CI", "Côte d'Ivoire"),
    ("CK", "Cook Islands"),
    ("CL", "Chile"),
    ("CM", "Cameroon"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("CR", "Costa Rica"),
    ("CU", "Cuba"),
    ("CV", "Cabo Verde"),
    ("CW", "Curaçao"),
    ("CX", "Christmas Island"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DJ", "Djibouti"),
    ("DK", "Denmark"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("DZ", "Algeria"),
    ("EC", "Ecuador"),
    ("EE", "Estonia"),
    ("EG", "Egypt"),
    ("EH", "Western Sahara"),
    ("ER", "Eritrea"),
    ("ES", "Spain"),
    ("ET", "Ethiopia"),
    ("FI", "Finland"),
    ("FJ", "Fiji"),
    ("FK", "Falkland Islands (Malvinas)"),
    ("FM", "Micronesia"),
    ("FO", "Faroe Islands"),
    ("FR", "France"),
    ("GA", "Gabon"),
    ("GB", "United Kingdom"),
    ("GD", "Grenada"),
    ("GE", "Georgia"),
    ("GF", "French Guiana"),
    ("GG", "Guernsey"),
    ("GH", "Ghana"),
    ("GI", "Gibraltar"),
    ("GL", "Greenland"),
    ("GM", "Gambia"),
    ("GN", "Guinea"),
    ("GP", "Guadeloupe"),
    ("GQ", "Equatorial Guinea"),
    ("GR", "Greece"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("GT", "Guatemala"),
    ("GU", "Guam"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HK", "Hong Kong"),
    ("HM", "Heard Island and McDonald Islands"),
    ("HN", "Honduras"),
    ("HR", "Croatia"),
    ("HT", "Haiti"),
    ("HU", "Hungary"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IM", "Isle of Man"),
    ("IN", "India"),
    ("IO", "British Indian Ocean Territory"),
    ("IQ", "Iraq"),
    ("IR", "Iran"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JE", "Jersey"),
    ("JM", "Jamaica"),
    ("JO", "Jordan"),
    ("JP", "Japan"),
    ("KE", "Kenya"),
    ("KG", "Kyrgyzstan"),
    ("KH", "Cambodia"),
    ("KI", "Kiribati"),
    ("KM", "Comoros"),
    ("KN", "Saint Kitts and Nevis"),
    ("KP", "Korea, Democratic People's Republic of"),
    ("KR", "Korea, Republic of"),
    ("KW", "Kuwait"),
    ("KY", "Cayman Islands"),
    ("KZ", "Kazakhstan"),
    ("LA", "Lao People's Democratic Republic"),
    ("LB", "Lebanon"),
    ("LC", "Saint Lucia"),
    ("LI", "Liechtenstein"),
    ("LK", "Sri Lanka"),
    ("LR", "Liberia"),
    ("LS", "Lesotho"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("LY", "Libya"),
    ("MA", "Morocco"),
    ("MC", "Monaco"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MF", "Saint Martin (French part)"),
    ("MG", "Madagascar"),
    ("MH", "Marshall Islands"),
    ("MK", "North Macedonia"),
    ("ML", "Mali"),
    ("MM", "Myanmar"),
    ("MN", "Mongolia"),
    ("MO", "Macao"),
    ("MP", "Northern Mariana Islands"),
    ("MQ", "Martinique"),
    ("MR", "Mauritania"),
    ("MS", "Montserrat"),
    ("MT", "Malta"),
    ("MU", "Mauritius"),
    ("MV", "Maldives"),
    ("MW", "Malawi"),
    ("MX", "Mexico"),
    ("MY", "Malaysia"),
    ("MZ", "Mozambique"),
    ("NA", "Namibia"),
    ("NC", "New Caledonia"),
    ("NE", "Niger"),
    ("NF", "Norfolk Island"),
    ("NG", "Nigeria"),
    ("NI", "Nicaragua"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NP", "Nepal"),
    ("NR", "Nauru"),
    ("NU", "Niue"),
    ("NZ", "New Zealand"),
    ("OM", "Oman"),
    ("PA", "Panama"),
    ("PE", "Peru"),
    ("PF", "French Polynesia"),
    ("PG", "Papua New Guinea"),
    ("PH", "Philippines"),
    ("PK", "Pakistan"),
    ("PL", "Poland"),
    ("PM", "Saint Pierre and Miquelon"),
    ("PN", "Pitcairn"),
    ("PR", "Puerto Rico"),
    ("PS", "Palestine, State of"),
    ("PT", "Portugal"),
    ("PW", "Palau"),
    ("PY", "Paraguay"),
    ("QA", "Qatar"),
    ("RE", "Réunion"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("RU", "Russian Federation"),
    ("RW", "Rwanda"),
    ("SA", "Saudi Arabia"),
    ("SB", "Solomon Islands"),
    ("SC", "Seychelles"),
    ("SD", "Sudan"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "Slovenia"),
    ("SJ", "Svalbard and Jan Mayen"),
    ("SK", "Slovakia"),
    ("SL", "Sierra Leone"),
    ("SM", "San Marino"),
    ("SN", "Senegal"),
    ("SO", "Somalia"),
    ("SR", "Suriname"),
    ("SS", "South Sudan"),
    ("ST", "Sao Tome and Principe"),
    ("SV", "El Salvador"),
    ("SX", "Sint Maarten (Dutch part)"),
    ("SY", "Syrian Arab Republic"),
    ("SZ", "Eswatini"),
    ("TC", "Turks and Caicos Islands"),
    ("TD", "Chad"),
    ("TF", "French Southern Territories"),
    ("TG", "Togo"),
    ("TH", "Thailand"),
    ("TJ", "Tajikistan"),
    ("TK", "Tokelau"),
    ("TL", "Timor-Leste"),
    ("TM", "Turkmenistan"),
    ("TN", "Tunisia"),
    ("TO", "Tonga"),
    ("TR", "Türkiye"),
    ("TT", "Trinidad and Tobago"),
    ("TV", "Tuvalu"),
    ("TW", "Taiwan"),
    ("TZ", "Tanzania"),
    ("UA", "Ukraine"),
    ("UG", "Uganda"),
    ("UM", "United States Minor Outlying Islands"),
    ("US", "United States of America"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VA", "Holy See"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("VE", "Venezuela"),
    ("VG", "Virgin Islands (British)"),
    ("VI", "Virgin Islands (U.S.)"),
    ("VN", "Viet Nam"),
    ("VU", "Vanuatu"),
    ("WF", "Wallis and Futuna"),
    ("WS", "Samoa"),
    ("YE", "Yemen"),
    ("YT", "Mayotte"),
    ("ZA", "South Africa"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
];

/// Countries and territories without a postal code system: an empty ZIP is accepted there.
const NO_POSTAL_CODES: &[&str] = &[
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK",
    "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM", "KN", "KP",
    "LY", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SY",
    "TD", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
];

/// Postal code formats of countries the portal knows: `#` a digit, `@` a letter, anything else
/// itself. A code must match one of its country's formats.
const POSTAL_FORMATS: &[(&str, &[&str])] = &[
    ("ID", &["#####"]),
    ("MY", &["#####"]),
    ("SG", &["######"]),
    ("TH", &["#####"]),
    ("PH", &["####"]),
    ("VN", &["######"]),
    ("IN", &["######"]),
    ("CN", &["######"]),
    ("AU", &["####"]),
    ("NZ", &["####"]),
    ("JP", &["###-####", "#######"]),
    ("KR", &["#####"]),
    ("US", &["#####", "#####-####"]),
    ("CA", &["@#@ #@#", "@#@#@#"]),
    ("DE", &["#####"]),
    ("FR", &["#####"]),
    ("IT", &["#####"]),
    ("ES", &["#####"]),
    ("NL", &["#### @@", "####@@"]),
    ("BR", &["#####-###", "########"]),
];

/// Longest postal code accepted (the longest national formats have 10 characters).
pub const MAX_POSTAL_CODE_LENGTH: usize = 10;

/// An officially assigned ISO 3166-1 alpha-2 country code, upper-case.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country(&'static str);

/// Why a country was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    #[error("is required")]
    Required,
    #[error("must be a two-letter ISO 3166-1 country code, for example ID")]
    Unknown,
}

impl CountryError {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "country_required",
            Self::Unknown => "country_unknown",
        }
    }
}

impl Country {
    /// Parses a code typed in any case, with surrounding whitespace ignored.
    pub fn parse(raw: &str) -> Result<Country, CountryError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(CountryError::Required);
        }
        if trimmed.len() != 2 || !trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(CountryError::Unknown);
        }
        let upper = trimmed.to_ascii_uppercase();
        COUNTRIES
            .binary_search_by(|(code, _)| (*code).cmp(upper.as_str()))
            .map(|i| Country(COUNTRIES[i].0))
            .map_err(|_| CountryError::Unknown)
    }

    /// The upper-case code, e.g. "ID".
    pub fn code(&self) -> &'static str {
        self.0
    }

    /// The English short name, e.g. "Indonesia".
    pub fn name(&self) -> &'static str {
        COUNTRIES
            .binary_search_by(|(code, _)| (*code).cmp(self.0))
            .map(|i| COUNTRIES[i].1)
            .unwrap_or(self.0)
    }

    /// Whether the country has postal codes at all.
    pub fn has_postal_codes(&self) -> bool {
        !NO_POSTAL_CODES.contains(&self.0)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Country").field(&self.0).finish()
    }
}

/// A postal (ZIP) code, upper-case, with whitespace runs collapsed; empty only for countries
/// without postal codes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

/// Why a postal code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalCodeError {
    #[error("is required")]
    Required,
    #[error("must be 2 to 10 letters and digits (at least one digit), optionally separated by a space or a hyphen")]
    Invalid,
    /// Does not match the country's format (`{0}` describes it, e.g. "5 digits").
    #[error("is not a valid postal code for this country (expected {0})")]
    WrongFormat(String),
}

impl PostalCodeError {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "zip_required",
            Self::Invalid => "zip_invalid",
            Self::WrongFormat(_) => "zip_invalid_for_country",
        }
    }
}

impl PostalCode {
    /// Parses a typed postal code; with a known country its national format applies.
    pub fn parse(raw: &str, country: Option<Country>) -> Result<PostalCode, PostalCodeError> {
        let tidy = raw
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        if tidy.is_empty() {
            return match country {
                Some(c) if !c.has_postal_codes() => Ok(PostalCode(String::new())),
                _ => Err(PostalCodeError::Required),
            };
        }
        if !generic_shape(&tidy) {
            return Err(PostalCodeError::Invalid);
        }
        if let Some(formats) = country.and_then(|c| {
            POSTAL_FORMATS
                .iter()
                .find(|(code, _)| *code == c.code())
                .map(|(_, f)| *f)
        }) {
            if !formats.iter().any(|f| matches_format(&tidy, f)) {
                let expected = formats
                    .iter()
                    .map(|f| describe(f))
                    .collect::<Vec<_>>()
                    .join(" or ");
                return Err(PostalCodeError::WrongFormat(expected));
            }
        }
        Ok(PostalCode(tidy))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PostalCode").field(&self.0).finish()
    }
}

/// 2–10 ASCII letters and digits (at least one digit) with single spaces or hyphens between them.
fn generic_shape(code: &str) -> bool {
    let len = code.chars().count();
    if !(2..=MAX_POSTAL_CODE_LENGTH).contains(&len) {
        return false;
    }
    let bytes = code.as_bytes();
    let alnum = |b: u8| b.is_ascii_alphanumeric();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut previous_separator = false;
    for &b in bytes {
        if alnum(b) {
            previous_separator = false;
        } else if b == b' ' || b == b'-' {
            if previous_separator {
                return false;
            }
            previous_separator = true;
        } else {
            return false;
        }
    }
    // Every postal code system in use has at least one digit; "ABC" is a typo, not a code.
    bytes.iter().any(u8::is_ascii_digit)
}

fn matches_format(code: &str, format: &str) -> bool {
    code.len() == format.len()
        && code.bytes().zip(format.bytes()).all(|(c, f)| match f {
            b'#' => c.is_ascii_digit(),
            b'@' => c.is_ascii_uppercase(),
            other => c == other,
        })
}

/// "#####" → "5 digits"; anything with letters or separators is shown as a pattern.
fn describe(format: &str) -> String {
    if format.bytes().all(|b| b == b'#') {
        format!("{} digits", format.len())
    } else {
        format.replace('#', "9").replace('@', "A")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_every_assigned_code_once_in_order() {
        assert_eq!(COUNTRIES.len(), 249);
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (code, name) in COUNTRIES {
            assert_eq!(code.len(), 2);
            assert!(code.chars().all(|c| c.is_ascii_uppercase()));
            assert!(!name.is_empty());
        }
        for code in NO_POSTAL_CODES {
            assert!(Country::parse(code).is_ok(), "{code}");
        }
        for (code, _) in POSTAL_FORMATS {
            assert!(Country::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn codes_in_any_case_are_normalized_upper_case() {
        assert_eq!(Country::parse("id").unwrap().code(), "ID");
        assert_eq!(Country::parse(" Sg ").unwrap().code(), "SG");
        assert_eq!(
            Country::parse("US").unwrap().name(),
            "United States of America"
        );
    }

    #[test]
    fn unassigned_reserved_and_malformed_codes_are_refused() {
        for raw in ["XK", "UK", "ZZ", "EU", "IDN", "I", "1D", "Indonesia", "ÄÖ"] {
            assert_eq!(Country::parse(raw), Err(CountryError::Unknown), "{raw}");
        }
        assert_eq!(Country::parse("  "), Err(CountryError::Required));
    }

    #[test]
    fn indonesian_postal_codes_have_five_digits() {
        let id = Country::parse("ID").ok();
        assert_eq!(PostalCode::parse(" 12190 ", id).unwrap().as_str(), "12190");
        assert_eq!(
            PostalCode::parse("1219", id),
            Err(PostalCodeError::WrongFormat("5 digits".into()))
        );
        assert_eq!(
            PostalCode::parse("12190-1", id).unwrap_err().code(),
            "zip_invalid_for_country"
        );
    }

    #[test]
    fn national_formats_with_letters_and_separators() {
        let ca = Country::parse("CA").ok();
        assert_eq!(
            PostalCode::parse("k1a 0b1", ca).unwrap().as_str(),
            "K1A 0B1"
        );
        let us = Country::parse("US").ok();
        assert_eq!(
            PostalCode::parse("94043-1351", us).unwrap().as_str(),
            "94043-1351"
        );
        assert_eq!(
            PostalCode::parse("9404", us),
            Err(PostalCodeError::WrongFormat(
                "5 digits or 99999-9999".into()
            ))
        );
        let jp = Country::parse("JP").ok();
        assert!(PostalCode::parse("100-0001", jp).is_ok());
    }

    #[test]
    fn other_countries_get_the_generic_international_shape() {
        let gb = Country::parse("GB").ok();
        assert_eq!(
            PostalCode::parse("sw1a  1aa", gb).unwrap().as_str(),
            "SW1A 1AA"
        );
        let ie = Country::parse("IE").ok();
        assert!(PostalCode::parse("D02 X285", ie).is_ok());
        for raw in [
            "1",
            "12345678901",
            "12 -34",
            "-1234",
            "1234-",
            "12_34",
            "<b>",
            "١٢٣٤٥",
        ] {
            assert_eq!(
                PostalCode::parse(raw, gb),
                Err(PostalCodeError::Invalid),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_postal_code_is_required_unless_the_country_has_none() {
        assert_eq!(
            PostalCode::parse(" ", Country::parse("ID").ok()),
            Err(PostalCodeError::Required)
        );
        assert_eq!(PostalCode::parse("", None), Err(PostalCodeError::Required));
        assert_eq!(
            PostalCode::parse("", Country::parse("HK").ok())
                .unwrap()
                .as_str(),
            ""
        );
    }
}

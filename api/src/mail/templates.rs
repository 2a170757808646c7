//! Email templates: one folder per message and language with `subject.txt`, `body.txt` and
//! `body.html` (which extends the shared `layout.html`), compiled into the binary. A template
//! is parsed the first time a message uses it and kept (a server that sends three kinds of
//! email holds three, not all of them); the tests render every one. HTML is auto-escaped.

use minijinja::Environment;
use serde_json::Value;

macro_rules! message_templates {
    ($($message:literal),* $(,)?) => {
        &[$(
            (concat!($message, "/en/subject.txt"), include_str!(concat!("templates/", $message, "/en/subject.txt"))),
            (concat!($message, "/en/body.txt"), include_str!(concat!("templates/", $message, "/en/body.txt"))),
            (concat!($message, "/en/body.html"), include_str!(concat!("templates/", $message, "/en/body.html"))),
            (concat!($message, "/id/subject.txt"), include_str!(concat!("templates/", $message, "/id/subject.txt"))),
            (concat!($message, "/id/body.txt"), include_str!(concat!("templates/", $message, "/id/body.txt"))),
            (concat!($message, "/id/body.html"), include_str!(concat!("templates/", $message, "/id/body.html"))),
        )*]
    };
}

const SOURCES: &[(&str, &str)] = message_templates!(
    "verify_email",
    "account_exists",
    "already_verified",
    "device_code",
    "cluster_ready",
    "cluster_failed",
    "invitation",
    "mfa_enabled",
    "password_changed",
    "password_reset",
    "mfa_disabled",
    "mfa_reset",
    "recovery_code_used",
    "mfa_failures",
    "new_device_sign_in",
    "email_change_confirm",
    "email_change_requested",
    "email_changed",
    "account_closed",
    "organization_invitation",
    "organization_membership",
    "organization_deleted",
    "project_deleted",
    "personal_token_created",
    "personal_token_revoked",
    "personal_token_expiring",
);

const LAYOUT: &str = include_str!("templates/layout.html");

/// A rendered message.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn load() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_loader(|name| {
            if name == "layout.html" {
                return Ok(Some(LAYOUT.to_owned()));
            }
            Ok(SOURCES
                .iter()
                .find(|(source_name, _)| *source_name == name)
                .map(|(_, source)| (*source).to_owned()))
        });
        Ok(Self { env })
    }

    /// Renders `message` in `language` with `vars` (which must include the common variables).
    pub fn render(
        &self,
        message: &str,
        language: &str,
        vars: &Value,
    ) -> Result<Rendered, minijinja::Error> {
        let render = |part: &str| {
            self.env
                .get_template(&format!("{message}/{language}/{part}"))
                .and_then(|t| t.render(vars))
        };
        Ok(Rendered {
            subject: render("subject.txt")?.trim().replace(['\r', '\n'], " "),
            text: render("body.txt")?,
            html: render("body.html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common() -> serde_json::Map<String, Value> {
        let mut vars = serde_json::Map::new();
        for (k, v) in [
            ("portal_name", "Service Portal AI"),
            ("public_url", "http://127.0.0.1:8080"),
            ("support_email", "support@localhost"),
            ("full_name", "Budi <Santoso>"),
            ("link", "http://127.0.0.1:8080/verify-email?token=abc"),
            ("sign_in_url", "http://127.0.0.1:8080/sign-in"),
            ("code", "012345"),
            ("device", "Firefox on Linux"),
            ("ip", "127.0.0.1"),
            ("requested_at", "2026-11-25 10:00 UTC"),
        ] {
            vars.insert(k.into(), Value::String(v.into()));
        }
        vars.insert("year".into(), Value::from(2026));
        vars.insert("expires_hours".into(), Value::from(24));
        vars.insert("expires_minutes".into(), Value::from(10));
        vars.insert(
            "occurred_at".into(),
            Value::String("2026-11-25 10:00 UTC".into()),
        );
        vars.insert(
            "reset_url".into(),
            Value::String("http://127.0.0.1:8080/forgot-password".into()),
        );
        vars.insert("via_reset".into(), Value::Bool(true));
        vars.insert("sessions_ended".into(), Value::Bool(true));
        vars.insert("remaining".into(), Value::from(2));
        vars.insert("attempts".into(), Value::from(3));
        vars.insert("new_email".into(), Value::String("budi@new.example".into()));
        vars.insert(
            "cancel_url".into(),
            Value::String("http://127.0.0.1:8080/cancel-email-change?token=abc".into()),
        );
        vars.insert("cancel_days".into(), Value::from(7));
        vars.insert("by_staff".into(), Value::Bool(false));
        vars.insert(
            "restore_url".into(),
            Value::String("http://127.0.0.1:8080/restore-account?token=abc".into()),
        );
        vars.insert("grace_days".into(), Value::from(30));
        vars.insert("erase_on".into(), Value::String("2027-01-05".into()));
        vars
    }

    /// The variables each message is rendered with, as `README.md` documents them (besides
    /// the common `portal_name`, `public_url`, `lang`, `support_email` and `year`). Those that
    /// may be none are listed in [`MAY_BE_NONE`].
    fn documented(message: &str) -> Vec<(&'static str, Value)> {
        let s = |v: &str| Value::String(v.into());
        let at = s("2026-11-25 10:00 UTC");
        let url = |path: &str| s(&format!("http://127.0.0.1:8080{path}"));
        let person = vec![("full_name", s("Budi <Santoso>"))];
        let notice = |mut vars: Vec<(&'static str, Value)>| {
            vars.extend([
                ("occurred_at", at.clone()),
                ("ip", s("127.0.0.1")),
                ("device", s("Firefox on Linux")),
                ("reset_url", url("/forgot-password")),
            ]);
            vars
        };
        let project = |mut vars: Vec<(&'static str, Value)>| {
            vars.extend([
                ("project_name", s("Toko Online")),
                ("organization_name", s("PT Maju")),
                ("project_url", url("/projects/p1")),
            ]);
            vars
        };
        let mut vars = person.clone();
        match message {
            "verify_email" => vars.extend([
                ("link", url("/verify-email?token=abc")),
                ("expires_hours", Value::from(24)),
            ]),
            "account_exists" => vars.extend([
                ("sign_in_url", url("/sign-in")),
                ("reset_hint", s("Forgot your password? Reset it.")),
            ]),
            "already_verified" => vars.push(("sign_in_url", url("/sign-in"))),
            "device_code" | "password_reset" | "email_change_confirm" => {
                vars.extend([
                    ("code", s("012345")),
                    ("link", url("/reset-password?token=abc")),
                    ("new_email", s("budi@new.example")),
                    ("expires_minutes", Value::from(10)),
                    ("device", s("Firefox on Linux")),
                    ("ip", s("127.0.0.1")),
                    ("requested_at", at.clone()),
                ]);
            }
            "cluster_ready" => vars = project(vars),
            "cluster_failed" => {
                vars = project(vars);
                vars.push(("reason", s("quota exceeded")));
            }
            "invitation" => vars.extend([
                ("organization_name", s("PT Maju")),
                ("link", url("/invitation?token=abc")),
                ("expires_hours", Value::from(72)),
                ("invited_by", s("Siti Rahma")),
            ]),
            "mfa_enabled" => vars.push(("occurred_at", at.clone())),
            "password_changed" => {
                vars = notice(vars);
                vars.extend([
                    ("via_reset", Value::Bool(true)),
                    ("sessions_ended", Value::Bool(true)),
                ]);
            }
            "mfa_disabled" | "new_device_sign_in" => vars = notice(vars),
            "mfa_reset" => vars.extend([
                ("occurred_at", at.clone()),
                ("reset_url", url("/forgot-password")),
            ]),
            "recovery_code_used" => {
                vars = notice(vars);
                vars.push(("remaining", Value::from(2)));
            }
            "mfa_failures" => {
                vars = notice(vars);
                vars.push(("attempts", Value::from(3)));
            }
            "email_change_requested" | "email_changed" => {
                vars = notice(vars);
                vars.extend([
                    ("new_email", s("budi@new.example")),
                    ("cancel_url", url("/cancel-email-change?token=abc")),
                    ("cancel_days", Value::from(7)),
                ]);
            }
            "account_closed" => vars.extend([
                ("occurred_at", at.clone()),
                ("by_staff", Value::Bool(false)),
                ("restore_url", url("/restore-account?token=abc")),
                ("grace_days", Value::from(30)),
                ("erase_on", s("2027-01-05")),
                ("ip", s("127.0.0.1")),
                ("device", s("Firefox on Linux")),
            ]),
            "organization_invitation" => {
                vars = vec![
                    ("organization_name", s("PT Maju")),
                    ("role", s("billing")),
                    ("invited_by", s("Siti Rahma")),
                    ("link", url("/organization-invitation?token=abc")),
                    ("expires_days", Value::from(7)),
                ];
            }
            "organization_membership" => vars.extend([
                ("organization_name", s("PT Maju")),
                ("change", s("role_changed")),
                ("role", s("admin")),
                ("by", s("Siti Rahma")),
                ("occurred_at", at.clone()),
                ("console_url", url("/")),
            ]),
            "organization_deleted" => vars.extend([
                ("organization_name", s("PT Maju")),
                ("by", s("Siti Rahma")),
                ("occurred_at", at.clone()),
                ("console_url", url("/")),
            ]),
            "project_deleted" => {
                vars = project(vars);
                vars.extend([
                    ("by", s("Siti Rahma")),
                    ("occurred_at", at.clone()),
                    ("failed", Value::Bool(true)),
                    ("reason", s("the cluster is locked")),
                    ("console_url", url("/projects")),
                ]);
            }
            "personal_token_created" | "personal_token_expiring" | "personal_token_revoked" => vars
                .extend([
                    ("name", s("deploy bot")),
                    ("scopes", s("projects:read projects:write")),
                    ("expires_at", s("2027-01-05 10:00 UTC")),
                    ("occurred_at", at.clone()),
                    ("ip", s("127.0.0.1")),
                    ("tokens_url", url("/account#tokens")),
                ]),
            other => panic!("{other}: no documented variables in this test; add them"),
        }
        vars
    }

    /// Variables a message may carry as none (JSON null).
    const MAY_BE_NONE: &[&str] = &["ip", "device", "invited_by", "by", "reset_hint"];

    fn messages() -> Vec<&'static str> {
        let mut names: Vec<&str> = SOURCES
            .iter()
            .map(|(name, _)| name.split('/').next().unwrap())
            .collect();
        names.dedup();
        names
    }

    /// Strict mode turns a variable a template uses but is not given (a misspelling, or one
    /// the documentation does not list) into an error instead of an empty string.
    #[test]
    fn every_template_renders_in_strict_mode_with_only_its_documented_variables() {
        let mut t = Templates::load().unwrap();
        t.env
            .set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let mut shows_none = Vec::new();
        for message in messages() {
            for lang in ["en", "id"] {
                for none in [false, true] {
                    let mut vars = serde_json::Map::new();
                    for (k, v) in [
                        ("portal_name", "Service Portal AI"),
                        ("public_url", "http://127.0.0.1:8080"),
                        ("support_email", "support@localhost"),
                        ("lang", lang),
                    ] {
                        vars.insert(k.into(), Value::String(v.into()));
                    }
                    vars.insert("year".into(), Value::from(2026));
                    for (k, v) in documented(message) {
                        let v = if none && MAY_BE_NONE.contains(&k) {
                            Value::Null
                        } else {
                            v
                        };
                        vars.insert(k.into(), v);
                    }
                    let r = t
                        .render(message, lang, &Value::Object(vars))
                        .unwrap_or_else(|e| panic!("{message}/{lang} (none: {none}): {e:#}"));
                    assert!(
                        r.subject.contains("Service Portal AI") || r.subject.contains("PT Maju"),
                        "{message}/{lang}: {}",
                        r.subject
                    );
                    assert!(!r.text.trim().is_empty(), "{message}/{lang}");
                    assert!(r.html.contains("<html"), "{message}/{lang}");
                    for text in [&r.subject, &r.text] {
                        if text
                            .split(|c: char| !c.is_alphanumeric())
                            .any(|word| word.eq_ignore_ascii_case("none"))
                        {
                            shows_none.push(format!("{message}/{lang} (none: {none})"));
                        }
                    }
                }
            }
        }
        assert!(
            shows_none.is_empty(),
            "a missing value shown as none: {shows_none:#?}"
        );
    }

    #[test]
    fn every_template_parses() {
        let t = Templates::load().unwrap();
        t.env.get_template("layout.html").unwrap();
        for (name, _) in SOURCES {
            if let Err(e) = t.env.get_template(name) {
                panic!("{name}: {e:#}");
            }
        }
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let t = Templates::load().unwrap();
        for message in [
            "verify_email",
            "account_exists",
            "already_verified",
            "device_code",
            "password_reset",
            "password_changed",
            "mfa_disabled",
            "mfa_reset",
            "recovery_code_used",
            "mfa_failures",
            "new_device_sign_in",
            "email_change_confirm",
            "email_change_requested",
            "email_changed",
            "account_closed",
            "organization_invitation",
            "organization_membership",
        ] {
            for lang in ["en", "id"] {
                let mut vars = common();
                vars.insert("lang".into(), Value::String(lang.into()));
                let r = t.render(message, lang, &Value::Object(vars)).unwrap();
                assert!(
                    r.subject.contains("Service Portal AI"),
                    "{message}/{lang}: {}",
                    r.subject
                );
                assert!(!r.text.is_empty() && r.html.contains("<html"));
            }
        }
    }

    #[test]
    fn membership_emails_name_the_change_the_role_and_who_made_it() {
        let t = Templates::load().unwrap();
        for (change, by, expect) in [
            ("joined", Some("Siti Rahma"), "Member"),
            ("role_changed", Some("Siti Rahma"), "Siti Rahma"),
            ("removed", Some("Siti Rahma"), "Siti Rahma"),
            ("left", None, "PT Maju"),
        ] {
            for lang in ["en", "id"] {
                let mut vars = common();
                vars.insert("lang".into(), Value::String(lang.into()));
                for (k, v) in [
                    ("full_name", "Budi"),
                    ("organization_name", "PT Maju"),
                    ("change", change),
                    ("role", "member"),
                    ("occurred_at", "2026-12-06 10:00 UTC"),
                    ("console_url", "http://127.0.0.1:8080/"),
                ] {
                    vars.insert(k.into(), Value::String(v.into()));
                }
                vars.insert(
                    "by".into(),
                    by.map_or(Value::Null, |b| Value::String(b.into())),
                );
                let r = t
                    .render("organization_membership", lang, &Value::Object(vars))
                    .unwrap();
                assert!(
                    r.subject.contains("PT Maju"),
                    "{change}/{lang}: {}",
                    r.subject
                );
                let expect = if lang == "id" && expect == "Member" {
                    "Anggota"
                } else {
                    expect
                };
                assert!(r.text.contains(expect), "{change}/{lang}: {}", r.text);
                assert!(
                    !r.text.contains("None") && !r.text.contains("none"),
                    "{}",
                    r.text
                );
            }
        }
        let mut vars = common();
        vars.insert("lang".into(), Value::String("en".into()));
        for (k, v) in [
            ("organization_name", "PT Maju"),
            ("role", "billing"),
            ("invited_by", "Siti Rahma"),
            (
                "link",
                "http://127.0.0.1:8080/organization-invitation?token=abc",
            ),
        ] {
            vars.insert(k.into(), Value::String(v.into()));
        }
        vars.insert("expires_days".into(), Value::from(7));
        let r = t
            .render("organization_invitation", "en", &Value::Object(vars))
            .unwrap();
        assert!(
            r.text.contains("Siti Rahma") && r.text.contains("Billing"),
            "{}",
            r.text
        );
        assert!(r.text.contains("/organization-invitation?token=abc"));
        assert!(r.text.contains('7'));
    }

    #[test]
    fn security_notices_leave_out_an_unknown_address_and_device() {
        let t = Templates::load().unwrap();
        for message in ["password_changed", "mfa_disabled", "new_device_sign_in"] {
            let mut vars = common();
            vars.insert("lang".into(), Value::String("en".into()));
            vars.insert("ip".into(), Value::Null);
            vars.insert("device".into(), Value::Null);
            let r = t.render(message, "en", &Value::Object(vars)).unwrap();
            assert!(
                !r.text.contains("none") && !r.text.contains("None"),
                "{message}: {}",
                r.text
            );
            assert!(
                r.text.contains("http://127.0.0.1:8080/forgot-password"),
                "{message}"
            );
        }
    }

    #[test]
    fn html_escapes_what_people_typed() {
        let t = Templates::load().unwrap();
        let mut vars = common();
        vars.insert("lang".into(), Value::String("en".into()));
        let r = t
            .render("verify_email", "en", &Value::Object(vars))
            .unwrap();
        assert!(r.html.contains("Budi &lt;Santoso&gt;"));
        assert!(r
            .text
            .contains("http://127.0.0.1:8080/verify-email?token=abc"));
    }
}

//! Who an account is and what a member may do.

text_enum! {
    /// A member's role in an organization.
    Role {
        Owner = "owner",
        Admin = "admin",
        Member = "member",
        Billing = "billing",
    }
}

impl Role {
    /// Invite people, change roles, remove members.
    pub fn manages_members(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// See the member list.
    pub fn reads_members(self) -> bool {
        !matches!(self, Self::Billing)
    }

    pub fn creates_projects(self) -> bool {
        !matches!(self, Self::Billing)
    }

    /// See everything about the organization's projects (billing sees only their VAT data).
    pub fn reads_projects(self) -> bool {
        !matches!(self, Self::Billing)
    }

    /// Change and delete projects, change the organization's details.
    pub fn manages_projects(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Whether this role may give `role` to someone, or act on someone who has it: owners on
    /// anyone, admins on anyone but owners, nobody else on anyone.
    pub fn may_assign(self, role: Role) -> bool {
        match self {
            Self::Owner => true,
            Self::Admin => role != Self::Owner,
            Self::Member | Self::Billing => false,
        }
    }
}

text_enum! {
    /// What an account may do across the portal: a customer, or the provider's staff.
    AccountRole {
        User = "user",
        /// Staff: the admin endpoints.
        Admin = "admin",
    }
}

text_enum! {
    /// The kind of customer: self-service signs up small and medium businesses; staff create
    /// enterprise accounts, which also accept the EULA.
    AccountType {
        Sme = "sme",
        Enterprise = "enterprise",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_parses_back_to_its_variant() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        for role in AccountRole::ALL {
            assert_eq!(AccountRole::parse(&role.to_string()), Some(*role));
        }
        for kind in AccountType::ALL {
            assert_eq!(AccountType::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(Role::parse("Owner"), None);
        assert_eq!(AccountType::parse(""), None);
    }

    #[test]
    fn owners_assign_anything_admins_all_but_owner_others_nothing() {
        for &role in Role::ALL {
            assert!(Role::Owner.may_assign(role));
            assert_eq!(Role::Admin.may_assign(role), role != Role::Owner);
            assert!(!Role::Member.may_assign(role));
            assert!(!Role::Billing.may_assign(role));
        }
        assert!(!Role::Billing.creates_projects());
        assert!(!Role::Billing.reads_members());
        assert!(Role::Member.creates_projects() && !Role::Member.manages_members());
    }
}

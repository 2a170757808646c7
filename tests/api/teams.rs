//! Teams, told as stories: an owner invites a colleague by email; the colleague, signed in with
//! that address, accepts from the emailed link, skips the organization and project steps of
//! onboarding, and works with exactly what the role allows — until a role change or a removal
//! takes effect on the next request. Invitations are bound to the mailbox, single-use, can be
//! resent (the old link dies), cancelled, and expire after 7 days. An organization always keeps
//! an owner, even when two owners demote each other at once. Every change is in the
//! organization's event log and emailed to the person concerned.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::organizations::{member, organization, project_form};
use crate::support::Person;
use crate::support::{assert_mail_count_stays, problem, MAIL_WAIT};

/// The token of the newest invitation link emailed to `to`.
pub(crate) async fn invitation_token(app: &TestApp, to: &str, n: usize) -> String {
    let mails = app.mail.wait_count(to, n, MAIL_WAIT).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.text.contains("/organization-invitation?token="))
        .unwrap_or_else(|| panic!("no invitation link in the mail to {to}"));
    let start = mail.text.find("/organization-invitation?token=").unwrap()
        + "/organization-invitation?token=".len();
    mail.text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub(crate) async fn invite(
    app: &TestApp,
    by: &Person,
    org: &str,
    email: &str,
    role: &str,
) -> reqwest::Response {
    app.post_auth(
        &format!("/v1/organizations/{org}/invitations"),
        &by.access,
        &json!({ "email": email, "role": role }),
    )
    .await
}

async fn accept(app: &TestApp, who: &Person, token: &str) -> reqwest::Response {
    app.post_auth(
        "/v1/organization-invitations/accept",
        &who.access,
        &json!({ "token": token }),
    )
    .await
}

async fn set_role(
    app: &TestApp,
    by: &Person,
    org: &str,
    account: &str,
    role: &str,
) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/v1/organizations/{org}/members/{account}")))
        .bearer_auth(&by.access)
        .json(&json!({ "role": role }))
        .send()
        .await
        .unwrap()
}

async fn remove(app: &TestApp, by: &Person, org: &str, account: &str) -> reqwest::Response {
    app.delete_auth(
        &format!("/v1/organizations/{org}/members/{account}"),
        &by.access,
    )
    .await
}

pub(crate) async fn account_id(app: &TestApp, who: &Person) -> String {
    let me: Value = app
        .get_auth("/v1/me", &who.access)
        .await
        .json()
        .await
        .unwrap();
    me["id"].as_str().unwrap().to_owned()
}

/// `who` joins `org` with `role` through an emailed invitation from `owner`.
pub(crate) async fn joined(app: &TestApp, owner: &Person, org: &str, who: &Person, role: &str) {
    let before = app.settled_mail_count(&who.email).await;
    let res = invite(app, owner, org, &who.email, role).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let token = invitation_token(app, &who.email, before + 1).await;
    let res = accept(app, who, &token).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

both_backends!(
    a_colleague_joins_from_the_emailed_link_and_works_with_their_role,
    |app: TestApp| async move {
        let siti = member(&app, "siti@maju.example").await;
        let org = organization(&app, &siti.access).await;
        let org_id = org["id"].as_str().unwrap().to_owned();
        let rina = member(&app, "rina@maju.example").await;
        let outsider = member(&app, "budi@lain.example").await;
        organization(&app, &outsider.access).await;

        let res = invite(&app, &siti, &org_id, "Rina@Maju.Example", "member").await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let invitation: Value = res.json().await.unwrap();
        assert_eq!(invitation["email"], "rina@maju.example");
        assert_eq!(invitation["role"], "member");
        assert_eq!(invitation["expired"], false);
        let mail = app
            .mail
            .wait_for("rina@maju.example", "invited you to join", MAIL_WAIT)
            .await;
        assert!(mail.text.contains("PT Maju Jaya"), "{}", mail.text);
        let token = invitation_token(&app, "rina@maju.example", 1).await;
        assert_eq!(token.len(), 43, "256 bits, base64url");

        // The link's page, signed in or not: which organization, role, address.
        let res = app
            .post(
                "/v1/organization-invitations/lookup",
                &json!({ "token": token }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let preview: Value = res.json().await.unwrap();
        assert_eq!(preview["organization_name"], org["name"]);
        assert_eq!(preview["role"], "member");
        assert_eq!(preview["email"], "rina@maju.example");

        // Bound to the mailbox: another signed-in account cannot use it.
        problem(
            accept(&app, &outsider, &token).await,
            403,
            "invitation_wrong_account",
        )
        .await;
        let res = accept(&app, &rina, &token).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let joined: Value = res.json().await.unwrap();
        assert_eq!(joined["id"], org_id.as_str());
        assert_eq!(joined["role"], "member");
        problem(accept(&app, &rina, &token).await, 410, "invitation_used").await;
        app.mail
            .wait_for("rina@maju.example", "You joined", MAIL_WAIT)
            .await;

        // Joined a team: not asked for an organization or project of her own.
        let onboarding: Value = app
            .get_auth("/v1/me/onboarding", &rina.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(onboarding["next_step"], "activate_mfa", "{onboarding}");

        // A member reads the team and creates projects, but does not manage members.
        let res = app
            .get_auth(&format!("/v1/organizations/{org_id}/members"), &rina.access)
            .await;
        assert_eq!(res.status(), 200);
        let members: Value = res.json().await.unwrap();
        let roles: Vec<(&str, &str)> = members["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
            .collect();
        assert_eq!(
            roles,
            [
                ("siti@maju.example", "owner"),
                ("rina@maju.example", "member")
            ]
        );
        problem(
            invite(&app, &rina, &org_id, "dewi@maju.example", "member").await,
            403,
            "insufficient_role",
        )
        .await;
        let projects = format!("/v1/organizations/{org_id}/projects");
        let res = app
            .post_auth(
                &projects,
                &rina.access,
                &project_form("Rina's", "01.234.567.8-901.000"),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        // Nobody else sees anything of it.
        assert_eq!(
            app.get_auth(
                &format!("/v1/organizations/{org_id}/members"),
                &outsider.access
            )
            .await
            .status(),
            404
        );

        // Billing: reads the organization and its projects, creates nothing, sees no team.
        let rina_id = account_id(&app, &rina).await;
        let res = set_role(&app, &siti, &org_id, &rina_id, "billing").await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let mail = app
            .mail
            .wait_for("rina@maju.example", "Your role in", MAIL_WAIT)
            .await;
        assert!(
            mail.text.contains("Budi Santoso changed your role"),
            "who changed it: {}",
            mail.text
        );
        let res = app
            .post_auth(
                &projects,
                &rina.access,
                &project_form("Another", "01.234.567.8-901.000"),
            )
            .await;
        problem(res, 403, "insufficient_role").await;
        let res = app
            .get_auth(&format!("/v1/organizations/{org_id}/members"), &rina.access)
            .await;
        problem(res, 403, "insufficient_role").await;
        assert_eq!(app.get_auth(&projects, &rina.access).await.status(), 200);

        // The last owner can be neither demoted nor leave.
        let siti_id = account_id(&app, &siti).await;
        problem(
            set_role(&app, &siti, &org_id, &siti_id, "admin").await,
            409,
            "last_owner",
        )
        .await;
        let res = remove(&app, &siti, &org_id, &siti_id).await;
        problem(res, 409, "last_owner").await;

        // Removed: gone on the very next request, and told.
        let res = remove(&app, &siti, &org_id, &rina_id).await;
        assert_eq!(res.status(), 204);
        let res = app
            .get_auth(&format!("/v1/organizations/{org_id}"), &rina.access)
            .await;
        problem(res, 404, "not_found").await;
        let mail = app
            .mail
            .wait_for("rina@maju.example", "removed from", MAIL_WAIT)
            .await;
        assert!(
            mail.text.contains("Budi Santoso removed you"),
            "{}",
            mail.text
        );

        // The organization's log, newest first.
        let res = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/events?limit=3"),
                &siti.access,
            )
            .await;
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        let kinds: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["member_removed", "role_changed", "member_joined"]);
        assert_eq!(page["items"][0]["account_id"], rina_id.as_str());
        assert_eq!(page["items"][0]["actor_id"], siti_id.as_str());
        let cursor = page["next_cursor"].as_str().unwrap();
        let res = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/events?before={cursor}"),
                &siti.access,
            )
            .await;
        let older: Value = res.json().await.unwrap();
        assert_eq!(older["items"][0]["kind"], "invitation_sent");
        assert_eq!(older["items"][0]["email"], "rina@maju.example");
        assert!(older["next_cursor"].is_null());
    }
);

both_backends!(
    invitations_are_single_resendable_cancellable_and_expire,
    |app: TestApp| async move {
        let mut siti = member(&app, "siti@maju.example").await;
        let org = organization(&app, &siti.access).await;
        let org_id = org["id"].as_str().unwrap().to_owned();

        // Bad input changes nothing; one pending invitation per address; members are members.
        let res = invite(&app, &siti, &org_id, "not an address", "member").await;
        problem(res, 422, "validation_failed").await;
        let res = invite(&app, &siti, &org_id, "dewi@maju.example", "emperor").await;
        problem(res, 400, "invalid_body").await;
        problem(
            invite(&app, &siti, &org_id, "siti@maju.example", "admin").await,
            409,
            "already_member",
        )
        .await;
        let res = invite(&app, &siti, &org_id, "dewi@maju.example", "admin").await;
        assert_eq!(res.status(), 201);
        let first: Value = res.json().await.unwrap();
        problem(
            invite(&app, &siti, &org_id, "DEWI@maju.example", "member").await,
            409,
            "invitation_pending",
        )
        .await;
        let old_token = invitation_token(&app, "dewi@maju.example", 1).await;

        // Resent: a new link; the old one no longer works.
        let id = first["id"].as_str().unwrap();
        let res = app
            .post_auth(
                &format!("/v1/organizations/{org_id}/invitations/{id}/resend"),
                &siti.access,
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let new_token = invitation_token(&app, "dewi@maju.example", 2).await;
        assert_ne!(new_token, old_token);
        let lookup = |token: String| {
            let app = &app;
            async move {
                app.post(
                    "/v1/organization-invitations/lookup",
                    &json!({ "token": token }),
                )
                .await
            }
        };
        problem(lookup(old_token).await, 400, "invitation_invalid").await;
        assert_eq!(lookup(new_token.clone()).await.status(), 200);

        // Cancelled: the link dies, the list empties.
        let res = app
            .delete_auth(
                &format!("/v1/organizations/{org_id}/invitations/{id}"),
                &siti.access,
            )
            .await;
        assert_eq!(res.status(), 204);
        problem(lookup(new_token).await, 400, "invitation_invalid").await;
        let list: Value = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/invitations"),
                &siti.access,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([]));

        // Seven days, then expired (listed as such until resent or cancelled).
        let res = invite(&app, &siti, &org_id, "eko@maju.example", "member").await;
        assert_eq!(res.status(), 201);
        let token = invitation_token(&app, "eko@maju.example", 1).await;
        app.clock.advance(Duration::from_secs(7 * 24 * 3600 + 60));
        siti.refresh(&app).await;
        problem(lookup(token).await, 410, "invitation_expired").await;
        let list: Value = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/invitations"),
                &siti.access,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"][0]["email"], "eko@maju.example");
        assert_eq!(list["items"][0]["expired"], true);

        // An admin manages everyone but owners.
        let dewi = member(&app, "dewi@maju.example").await;
        joined(&app, &siti, &org_id, &dewi, "admin").await;
        problem(
            invite(&app, &dewi, &org_id, "fajar@maju.example", "owner").await,
            403,
            "insufficient_role",
        )
        .await;
        let res = invite(&app, &dewi, &org_id, "fajar@maju.example", "member").await;
        assert_eq!(res.status(), 201);
        let siti_id = account_id(&app, &siti).await;
        problem(
            set_role(&app, &dewi, &org_id, &siti_id, "member").await,
            403,
            "insufficient_role",
        )
        .await;
        let res = remove(&app, &dewi, &org_id, &siti_id).await;
        problem(res, 403, "insufficient_role").await;
        // … and may leave.
        let dewi_id = account_id(&app, &dewi).await;
        let res = remove(&app, &dewi, &org_id, &dewi_id).await;
        assert_eq!(res.status(), 204);
        app.mail
            .wait_for("dewi@maju.example", "You left", MAIL_WAIT)
            .await;
    }
);

both_backends!(
    two_owners_demoting_each_other_at_once_leave_one_owner,
    |app: TestApp| async move {
        let siti = member(&app, "siti@maju.example").await;
        let org = organization(&app, &siti.access).await;
        let org_id = org["id"].as_str().unwrap().to_owned();
        let rina = member(&app, "rina@maju.example").await;
        joined(&app, &siti, &org_id, &rina, "owner").await;
        let (siti_id, rina_id) = (account_id(&app, &siti).await, account_id(&app, &rina).await);
        let (a, b) = tokio::join!(
            set_role(&app, &siti, &org_id, &rina_id, "member"),
            set_role(&app, &rina, &org_id, &siti_id, "member"),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert!(
            // The loser was demoted first (then a member may not change roles), or saw that
            // only one owner was left.
            statuses == [200, 403] || statuses == [200, 409],
            "exactly one demotion wins: {statuses:?}"
        );
        let members: Value = app
            .get_auth(&format!("/v1/organizations/{org_id}/members"), &siti.access)
            .await
            .json()
            .await
            .unwrap_or_default();
        let members = if members["items"].is_array() {
            members
        } else {
            app.get_auth(&format!("/v1/organizations/{org_id}/members"), &rina.access)
                .await
                .json()
                .await
                .unwrap()
        };
        let owners = members["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "owner")
            .count();
        assert_eq!(owners, 1);
    }
);

both_backends!(
    invitation_emails_are_limited_per_address_and_per_organization,
    [
        ("PORTAL_THROTTLE_INVITATIONS_PER_ADDRESS", "2/1d"),
        ("PORTAL_THROTTLE_INVITATIONS_PER_ORGANIZATION", "4/1h"),
    ],
    |app: TestApp| async move {
        let mut siti = member(&app, "siti@maju.example").await;
        let org = organization(&app, &siti.access).await;
        let org_id = org["id"].as_str().unwrap().to_owned();

        // Sent, resent once: the address's two for the day. A third is refused and not sent.
        let res = invite(&app, &siti, &org_id, "dewi@maju.example", "member").await;
        assert_eq!(res.status(), 201);
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let resend = format!("/v1/organizations/{org_id}/invitations/{id}/resend");
        let res = app.post_auth(&resend, &siti.access, &json!({})).await;
        assert_eq!(res.status(), 200);
        app.mail.wait_count("dewi@maju.example", 2, MAIL_WAIT).await;
        let refused = problem(
            app.post_auth(&resend, &siti.access, &json!({})).await,
            429,
            "too_many_requests",
        )
        .await;
        assert!(refused.retry_after() > 3600, "{}", refused.retry_after());
        // Another organization cannot flood that mailbox either.
        let rina = member(&app, "rina@lain.example").await;
        let other = organization(&app, &rina.access).await;
        let res = invite(
            &app,
            &rina,
            other["id"].as_str().unwrap(),
            "dewi@maju.example",
            "member",
        )
        .await;
        problem(res, 429, "too_many_requests").await;
        assert_mail_count_stays(&app, "dewi@maju.example", 2).await;

        // The organization's own limit: two more addresses, then no more this hour (the refused
        // attempts above counted nothing).
        for email in ["a@maju.example", "b@maju.example"] {
            let res = invite(&app, &siti, &org_id, email, "member").await;
            assert_eq!(res.status(), 201, "{email}");
        }
        let res = invite(&app, &siti, &org_id, "c@maju.example", "member").await;
        problem(res, 429, "too_many_requests").await;

        // A day later both limits are fresh.
        app.clock.advance(Duration::from_secs(24 * 3600 + 60));
        siti.refresh(&app).await;
        let res = invite(&app, &siti, &org_id, "c@maju.example", "member").await;
        assert_eq!(res.status(), 201);
        let res = app.post_auth(&resend, &siti.access, &json!({})).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
);

//! Enterprise accounts: staff create the account with its organization; the person sets a
//! password from the invitation, accepts the EULA with the other documents, and goes on with
//! the journey from the project step.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::mfa::{mfa_on, onboarding};
use crate::organizations::{organization_form, sales_representatives};
use crate::support::{problem, Person, PASSWORD};

/// A staff member with legal documents accepted and MFA on.
pub(crate) async fn staff(app: &TestApp) -> Person {
    let email = "ops@example.com";
    app.create_admin(email, "Sari Dewi").await;
    let mail = app.mail.wait_for(email, "", Duration::from_secs(10)).await;
    let link = mail
        .first_link_starting_with("http://portal.test/accept-invitation?token=")
        .unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let res = app
        .post(
            "/v1/invitations/accept",
            &json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let tokens = app.signed_in(email, PASSWORD).await;
    let person = Person::from_tokens(email, &tokens);
    let res = app
        .post_auth(
            "/v1/me/consents",
            &person.access,
            &json!({ "consents": app.consents().await }),
        )
        .await;
    assert_eq!(res.status(), 200);
    mfa_on(app, &person).await;
    person
}

both_backends!(
    staff_create_an_enterprise_account_that_accepts_the_eula_and_continues,
    |app: TestApp| async move {
        let staff = staff(&app).await;
        let rep = sales_representatives(&app, &staff.access).await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // Every bad field is reported at once, the organization's under `organization.`; nothing is created.
        let mut bad_org = organization_form(&rep);
        bad_org["country"] = json!("XX");
        let res = app
        .post_auth(
            "/v1/admin/enterprise-accounts",
            &staff.access,
            &json!({ "full_name": "Rina Wijaya", "email": "not-an-email", "phone_number": "+62 812 3456 7890", "organization": bad_org }),
        )
        .await;
        let p = problem(res, 422, "validation_failed").await;
        let fields: Vec<String> = p
            .field_errors()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert!(
            fields.contains(&"email".to_owned())
                && fields.contains(&"organization.country".to_owned()),
            "{fields:?}"
        );

        let email = "rina@majujaya.co.id";
        let body = json!({
            "full_name": "Rina Wijaya",
            "email": email,
            "phone_number": "+62 812 3456 7890",
            "locale": "id",
            "organization": organization_form(&rep),
        });
        let res = app
            .post_auth("/v1/admin/enterprise-accounts", &staff.access, &body)
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let created: Value = res.json().await.unwrap();
        let organization_id = created["organization_id"].as_str().unwrap().to_owned();
        let res = app
            .post_auth("/v1/admin/enterprise-accounts", &staff.access, &body)
            .await;
        problem(res, 409, "email_taken").await;

        // The invitation, in the person's language, names the organization.
        let mail = app.mail.wait_for(email, "", Duration::from_secs(10)).await;
        assert!(
            mail.text.contains("PT Maju Jaya Teknologi"),
            "{}",
            mail.text
        );
        let link = mail
            .first_link_starting_with("http://portal.test/accept-invitation?token=")
            .unwrap();
        let token = link.split("token=").nth(1).unwrap();
        let res = app
            .post(
                "/v1/invitations/accept",
                &json!({ "token": token, "password": PASSWORD }),
            )
            .await;
        assert_eq!(res.status(), 200);

        let tokens = app.signed_in(email, PASSWORD).await;
        let access = tokens["access_token"].as_str().unwrap().to_owned();
        let me: Value = app.get_auth("/v1/me", &access).await.json().await.unwrap();
        assert_eq!(me["account_type"], "enterprise");
        let status = onboarding(&app, &access).await;
        assert_eq!(
            status["remaining_steps"],
            json!(["accept_legal_documents", "create_project", "activate_mfa"])
        );

        // Terms and Privacy alone are not enough: the EULA applies to Enterprise accounts.
        let res = app
            .post_auth(
                "/v1/me/consents",
                &access,
                &json!({ "consents": app.consents().await }),
            )
            .await;
        let p = problem(res, 422, "validation_failed").await;
        assert_eq!(p.field_errors()[0].1, "consent_required");
        let config: Value = app.get("/v1/config").await.json().await.unwrap();
        let eula = config["legal_documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == "eula")
            .unwrap()
            .clone();
        let mut consents = app.consents().await.as_array().unwrap().clone();
        consents.push(json!({ "kind": "eula", "version": eula["version"] }));
        let res = app
            .post_auth("/v1/me/consents", &access, &json!({ "consents": consents }))
            .await;
        assert_eq!(res.status(), 200);
        let status: Value = res.json().await.unwrap();
        assert_eq!(status["next_step"], "create_project");

        // The person owns the organization staff created; others cannot see it.
        let org: Value = app
            .get_auth(&format!("/v1/organizations/{organization_id}"), &access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(org["role"], "owner");
        let res = app
            .get_auth(
                &format!("/v1/organizations/{organization_id}"),
                &staff.access,
            )
            .await;
        problem(res, 404, "not_found").await;
    }
);

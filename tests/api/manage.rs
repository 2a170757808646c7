//! Managing organizations and projects, told as stories: what each role may change (owners and
//! admins edit the organization and its projects, members and billing only read, billing sees
//! only the projects' VAT data, outsiders get 404), deleting a project through the provisioner
//! until it is gone and emailed, deleting an organization once it is empty, lists paged by
//! cursor, and a newcomer who signs up from an invitation link without a verification email.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::organizations::{member, organization, project, wait_for_status};
use crate::support::Person;
use crate::support::{problem, MAIL_WAIT, PASSWORD};
use crate::teams::{account_id, invitation_token, invite, joined};

async fn patch(app: &TestApp, path: &str, who: &Person, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(&who.access)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get_json(app: &TestApp, path: &str, who: &Person) -> Value {
    let res = app.get_auth(path, &who.access).await;
    assert_eq!(res.status(), 200, "{path}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Polls (bounded) until `GET /v1/projects/{id}` answers 404: the project is gone.
async fn wait_until_gone(app: &TestApp, who: &Person, project_id: &str) {
    for _ in 0..200 {
        let res = app
            .get_auth(&format!("/v1/projects/{project_id}"), &who.access)
            .await;
        if res.status() == 404 {
            return;
        }
        assert_eq!(res.status(), 200);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("project {project_id} was never deleted");
}

struct Team {
    owner: Person,
    admin: Person,
    member: Person,
    billing: Person,
    outsider: Person,
    org: String,
    project: String,
}

/// An organization with one project and a person in each role, plus an outsider who has an
/// organization of their own.
async fn team(app: &TestApp) -> Team {
    let owner = member(app, "siti@maju.example").await;
    let org = organization(app, &owner.access).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let project = project(app, &owner.access, &org, "Retail Analytics").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = member(app, "agus@maju.example").await;
    joined(app, &owner, &org, &admin, "admin").await;
    let colleague = member(app, "rina@maju.example").await;
    joined(app, &owner, &org, &colleague, "member").await;
    let billing = member(app, "dewi@maju.example").await;
    joined(app, &owner, &org, &billing, "billing").await;
    let outsider = member(app, "budi@lain.example").await;
    organization(app, &outsider.access).await;
    Team {
        owner,
        admin,
        member: colleague,
        billing,
        outsider,
        org,
        project,
    }
}

both_backends!(
    each_role_changes_exactly_what_it_may_and_billing_sees_only_vat_data,
    |app: TestApp| async move {
        let t = team(&app).await;
        let org_path = format!("/v1/organizations/{}", t.org);
        let project_path = format!("/v1/projects/{}", t.project);

        // The organization: owners and admins change it; members and billing may not;
        // outsiders cannot tell it exists.
        let res = patch(
            &app,
            &org_path,
            &t.owner,
            &json!({ "name": "PT Maju Jaya Digital" }),
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let res = patch(
            &app,
            &org_path,
            &t.admin,
            &json!({ "city": "Bandung", "region": "Jawa Barat" }),
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let org: Value = res.json().await.unwrap();
        assert_eq!(org["name"], "PT Maju Jaya Digital");
        assert_eq!(org["city"], "Bandung");
        assert_eq!(org["role"], "admin");
        for who in [&t.member, &t.billing] {
            problem(
                patch(&app, &org_path, who, &json!({ "name": "Mine" })).await,
                403,
                "insufficient_role",
            )
            .await;
        }
        problem(
            patch(&app, &org_path, &t.outsider, &json!({ "name": "Mine" })).await,
            404,
            "not_found",
        )
        .await;

        // Bad input: every bad field at once, nothing changed.
        let res = patch(
            &app,
            &org_path,
            &t.owner,
            &json!({ "country": "XX", "business_phone": "12", "name": "" }),
        )
        .await;
        let p = problem(res, 422, "validation_failed").await;
        let fields: Vec<String> = p.field_errors().into_iter().map(|e| e.0).collect();
        assert!(
            fields.iter().any(|f| f == "country") && fields.iter().any(|f| f == "name"),
            "{fields:?}"
        );
        problem(
            patch(&app, &org_path, &t.owner, &json!({ "owner": "me" })).await,
            400,
            "invalid_body",
        )
        .await;
        let now = get_json(&app, &org_path, &t.member).await;
        assert_eq!(now["name"], "PT Maju Jaya Digital");
        assert_eq!(now["country"], "ID");

        // No sales representative: stored as none.
        let res = patch(
            &app,
            &org_path,
            &t.owner,
            &json!({ "sales_representative_id": "none" }),
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        assert_eq!(
            res.json::<Value>().await.unwrap()["sales_representative"],
            Value::Null
        );

        // Projects: owners and admins change them; a name already used is refused.
        let second = project(&app, &t.owner.access, &t.org, "Logistics").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = patch(
            &app,
            &project_path,
            &t.admin,
            &json!({ "description": "Dashboards for stores", "vat_name": "PT Maju Jaya Digital" }),
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        assert!(res.headers().contains_key("etag"));
        let changed: Value = res.json().await.unwrap();
        assert_eq!(changed["description"], "Dashboards for stores");
        assert_eq!(changed["vat_name"], "PT Maju Jaya Digital");
        let res = patch(
            &app,
            &format!("/v1/projects/{second}"),
            &t.owner,
            &json!({ "name": "retail  ANALYTICS" }),
        )
        .await;
        let p = problem(res, 422, "validation_failed").await;
        assert!(
            p.codes_for("name")
                .contains(&"project_name_taken".to_owned()),
            "{:?}",
            p.field_errors()
        );
        let res = patch(&app, &project_path, &t.owner, &json!({ "vat_id": "12" })).await;
        problem(res, 422, "validation_failed").await;
        for who in [&t.member, &t.billing] {
            problem(
                patch(&app, &project_path, who, &json!({ "name": "Mine" })).await,
                403,
                "insufficient_role",
            )
            .await;
            problem(
                app.delete_auth(&project_path, &who.access).await,
                403,
                "insufficient_role",
            )
            .await;
        }
        problem(
            patch(&app, &project_path, &t.outsider, &json!({ "name": "Mine" })).await,
            404,
            "not_found",
        )
        .await;
        problem(
            app.delete_auth(&project_path, &t.outsider.access).await,
            404,
            "not_found",
        )
        .await;
        problem(
            app.get_auth(&format!("{project_path}/history"), &t.outsider.access)
                .await,
            404,
            "not_found",
        )
        .await;

        // Members read everything, with who created the project and its history.
        let seen = get_json(&app, &project_path, &t.member).await;
        assert_eq!(seen["description"], "Dashboards for stores");
        assert_eq!(seen["cluster_status"], "pending");
        assert_eq!(seen["created_by"]["full_name"], "Budi Santoso");
        let history = get_json(&app, &format!("{project_path}/history"), &t.member).await;
        assert_eq!(history["items"][0]["status"], "pending");

        // Billing: the projects' names and VAT data, nothing else.
        let seen = get_json(&app, &project_path, &t.billing).await;
        let keys: Vec<&String> = seen.as_object().unwrap().keys().collect();
        for absent in [
            "description",
            "cluster_status",
            "cluster_failure_reason",
            "created_by",
        ] {
            assert!(
                seen.get(absent).is_none(),
                "billing sees {absent}: {keys:?}"
            );
        }
        assert_eq!(seen["vat_id"], "012345678901000");
        let list = get_json(
            &app,
            &format!("/v1/organizations/{}/projects", t.org),
            &t.billing,
        )
        .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        assert!(list["items"][0].get("cluster_status").is_none());
        problem(
            app.get_auth(&format!("{project_path}/history"), &t.billing.access)
                .await,
            403,
            "insufficient_role",
        )
        .await;

        // Deleting the organization: owners only, and not while it has projects.
        for who in [&t.admin, &t.member, &t.billing] {
            problem(
                app.delete_auth(&org_path, &who.access).await,
                403,
                "insufficient_role",
            )
            .await;
        }
        problem(
            app.delete_auth(&org_path, &t.outsider.access).await,
            404,
            "not_found",
        )
        .await;
        problem(
            app.delete_auth(&org_path, &t.owner.access).await,
            409,
            "organization_has_projects",
        )
        .await;

        // The organization's log names who changed what.
        let events = get_json(&app, &format!("{org_path}/events"), &t.owner).await;
        let kinds: Vec<&str> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"organization_updated") && kinds.contains(&"project_updated"),
            "{kinds:?}"
        );
        let updated = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "project_updated")
            .unwrap();
        assert_eq!(
            updated["details"]["fields"],
            json!(["description", "vat_name"])
        );
        assert_eq!(updated["details"]["project_name"], "Retail Analytics");
        assert_eq!(updated["actor_id"], json!(account_id(&app, &t.admin).await));
    }
);

both_backends!(
    a_deleted_project_goes_through_the_provisioner_then_its_empty_organization_can_go,
    |app: TestApp| async move {
        let t = team(&app).await;
        app.clock.advance(Duration::from_secs(61));
        wait_for_status(&app, &t.owner.access, &t.project, "ready").await;
        let project_path = format!("/v1/projects/{}", t.project);

        // An admin asks; the project is `deleting` at once, and asking again changes nothing.
        let res = app.delete_auth(&project_path, &t.admin.access).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        let deleting: Value = res.json().await.unwrap();
        assert_eq!(deleting["cluster_status"], "deleting");
        let res = app.delete_auth(&project_path, &t.owner.access).await;
        assert_eq!(res.status(), 202);
        problem(
            patch(&app, &project_path, &t.owner, &json!({ "name": "Renamed" })).await,
            409,
            "project_deleting",
        )
        .await;
        let history = get_json(&app, &format!("{project_path}/history"), &t.member).await;
        let statuses: Vec<&str> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["pending", "provisioning", "ready", "deleting"]);

        // The simulated provisioner removes the cluster after its delay; then the project is
        // gone, and the creator and the admin who asked are told.
        app.clock.advance(Duration::from_secs(61));
        wait_until_gone(&app, &t.owner, &t.project).await;
        for to in [&t.owner.email, &t.admin.email] {
            let mail = app.mail.wait_for(to, "deleted", MAIL_WAIT).await;
            assert!(mail.text.contains("Retail Analytics"), "{}", mail.text);
        }
        problem(
            app.get_auth(&format!("{project_path}/history"), &t.owner.access)
                .await,
            404,
            "not_found",
        )
        .await;
        let list = get_json(
            &app,
            &format!("/v1/organizations/{}/projects", t.org),
            &t.member,
        )
        .await;
        assert_eq!(list["items"], json!([]));
        let events = get_json(
            &app,
            &format!("/v1/organizations/{}/events", t.org),
            &t.owner,
        )
        .await;
        let kinds: Vec<&str> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            &kinds[..2],
            ["project_deleted", "project_deletion_requested"],
            "{kinds:?}"
        );

        // The owner's onboarding stays done although their only project is gone.
        // (These people never switched MFA on: that step is the only one left.)
        let onboarding = get_json(&app, "/v1/me/onboarding", &t.owner).await;
        assert_eq!(
            onboarding["remaining_steps"],
            json!(["activate_mfa"]),
            "{onboarding}"
        );

        // Now empty, the organization can be deleted by its owner; the others are told.
        let org_path = format!("/v1/organizations/{}", t.org);
        let res = app.delete_auth(&org_path, &t.owner.access).await;
        assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
        for who in [&t.admin, &t.member, &t.billing] {
            let mail = app.mail.wait_for(&who.email, "deleted", MAIL_WAIT).await;
            assert!(mail.text.contains("PT Maju Jaya"), "{}", mail.text);
            problem(app.get_auth(&org_path, &who.access).await, 404, "not_found").await;
        }
        let mine = get_json(&app, "/v1/organizations", &t.owner).await;
        assert_eq!(mine["items"], json!([]));
        // Without any organization the owner is asked for one again — but not for a project.
        let onboarding = get_json(&app, "/v1/me/onboarding", &t.owner).await;
        assert_eq!(
            onboarding["remaining_steps"],
            json!(["create_organization", "activate_mfa"]),
            "{onboarding}"
        );
        organization(&app, &t.owner.access).await;
        let onboarding = get_json(&app, "/v1/me/onboarding", &t.owner).await;
        assert_eq!(
            onboarding["remaining_steps"],
            json!(["activate_mfa"]),
            "{onboarding}"
        );
    }
);

both_backends!(
    organization_and_project_lists_are_paged_by_cursor,
    |app: TestApp| async move {
        let owner = member(&app, "siti@maju.example").await;
        let mut orgs = Vec::new();
        for _ in 0..3 {
            orgs.push(
                organization(&app, &owner.access).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let first = get_json(&app, "/v1/organizations?limit=2", &owner).await;
        let ids: Vec<&str> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [orgs[0].as_str(), orgs[1].as_str()]);
        let cursor = first["next_cursor"].as_str().unwrap();
        let rest = get_json(
            &app,
            &format!("/v1/organizations?limit=2&after={cursor}"),
            &owner,
        )
        .await;
        assert_eq!(rest["items"].as_array().unwrap().len(), 1);
        assert_eq!(rest["items"][0]["id"], json!(orgs[2]));
        assert!(rest["next_cursor"].is_null());

        for name in ["Alpha", "Beta", "Gamma"] {
            project(&app, &owner.access, &orgs[0], name).await;
        }
        let path = format!("/v1/organizations/{}/projects", orgs[0]);
        let page = get_json(&app, &format!("{path}?limit=2"), &owner).await;
        let names: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Alpha", "Beta"]);
        let cursor = page["next_cursor"].as_str().unwrap();
        let page = get_json(&app, &format!("{path}?limit=2&after={cursor}"), &owner).await;
        assert_eq!(page["items"][0]["name"], "Gamma");
        assert!(page["next_cursor"].is_null());

        for bad in [
            "limit=0",
            "limit=101",
            "after=not-a-cursor",
            "limit=x",
            "page=2",
        ] {
            problem(
                app.get_auth(&format!("{path}?{bad}"), &owner.access).await,
                400,
                "invalid_query",
            )
            .await;
            problem(
                app.get_auth(&format!("/v1/organizations?{bad}"), &owner.access)
                    .await,
                400,
                "invalid_query",
            )
            .await;
        }
    }
);

both_backends!(
    a_newcomer_signs_up_from_the_invitation_without_a_verification_email,
    |app: TestApp| async move {
        let owner = member(&app, "siti@maju.example").await;
        let org = organization(&app, &owner.access).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        project(&app, &owner.access, &org, "Retail Analytics").await;
        let res = invite(&app, &owner, &org, "rina@maju.example", "member").await;
        assert_eq!(res.status(), 201);
        let token = invitation_token(&app, "rina@maju.example", 1).await;

        // Another address with the link: an ordinary sign-up, verification email and all.
        let mut body = app.sign_up_body("eko@maju.example", PASSWORD).await;
        body["organization_invitation"] = json!(token);
        let res = app.post("/v1/accounts", &body).await;
        assert_eq!(res.status(), 202);
        assert_eq!(
            res.json::<Value>().await.unwrap()["status"],
            "verification_email_sent"
        );
        app.mail
            .wait_for("eko@maju.example", "Verify your email", MAIL_WAIT)
            .await;

        // The invited address: verified by the link itself.
        let mut body = app.sign_up_body("Rina@Maju.Example", PASSWORD).await;
        body["organization_invitation"] = json!(token);
        let res = app.post("/v1/accounts", &body).await;
        assert_eq!(res.status(), 202);
        assert_eq!(
            res.json::<Value>().await.unwrap()["status"],
            "email_verified"
        );
        let mails = app.mail.wait_count("rina@maju.example", 1, MAIL_WAIT).await;
        assert!(
            mails.iter().all(|m| !m.subject.contains("Verify")),
            "no verification email"
        );

        // She signs in (a code to the new device, as for anyone), accepts, and is not asked
        // for an organization or project of her own.
        let tokens = app.signed_in("rina@maju.example", PASSWORD).await;
        let access = tokens["access_token"].as_str().unwrap();
        let res = app
            .post_auth(
                "/v1/me/consents",
                access,
                &json!({ "consents": app.consents().await }),
            )
            .await;
        assert!(
            res.status().is_success() || res.status() == 409,
            "{}",
            res.status()
        );
        let res = app
            .post_auth(
                "/v1/organization-invitations/accept",
                access,
                &json!({ "token": token }),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let onboarding: Value = app
            .get_auth("/v1/me/onboarding", access)
            .await
            .json()
            .await
            .unwrap();
        assert_ne!(onboarding["next_step"], "create_organization");
        assert_ne!(onboarding["next_step"], "create_project");
        let list: Value = app
            .get_auth(&format!("/v1/organizations/{org}/projects"), access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"][0]["name"], "Retail Analytics");

        // The link is spent: signing up with it again verifies nothing.
        let mut body = app.sign_up_body("rina2@maju.example", PASSWORD).await;
        body["organization_invitation"] = json!(token);
        let res = app.post("/v1/accounts", &body).await;
        assert_eq!(
            res.json::<Value>().await.unwrap()["status"],
            "verification_email_sent"
        );
    }
);

both_backends!(
    trusted_devices_say_which_one_is_this_device,
    |app: TestApp| async move {
        let who = crate::guard::onboarded(&app, "siti@maju.example").await;
        let email = who.person.email.clone();
        // A second device: a new sign-in without the device token, its emailed code, then TOTP.
        let before = app.settled_mail_count(&email).await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        let challenge: Value = res.json().await.unwrap();
        let id = challenge["challenge_id"].as_str().unwrap().to_owned();
        let mails = app.mail.wait_count(&email, before + 1, MAIL_WAIT).await;
        let code = mails.last().unwrap().six_digit_code().unwrap();
        let res = app
            .post(
                &format!("/v1/sessions/{id}/device-code"),
                &json!({ "code": code }),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let next: Value = res.json().await.unwrap();
        assert_eq!(next["next_step"], "mfa_code", "{next}");
        let id = next["challenge_id"].as_str().unwrap_or(&id).to_owned();
        app.clock.advance(Duration::from_secs(30));
        let res =
            crate::mfa::send_mfa_code(&app, &id, &crate::mfa::code_now(&app, &who.totp)).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let second: Value = res.json().await.unwrap();

        let current = |list: &Value| -> Vec<String> {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["current"] == true)
                .map(|d| d["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let res = app.get_auth("/v1/me/devices", &who.person.access).await;
        let from_first: Value = res.json().await.unwrap();
        let res = app
            .get_auth("/v1/me/devices", second["access_token"].as_str().unwrap())
            .await;
        let from_second: Value = res.json().await.unwrap();
        assert_eq!(
            from_first["items"].as_array().unwrap().len(),
            2,
            "{from_first}"
        );
        assert_eq!(current(&from_first).len(), 1, "{from_first}");
        assert_eq!(current(&from_second).len(), 1, "{from_second}");
        assert_ne!(current(&from_first), current(&from_second));
    }
);

both_backends!(
    every_organization_and_project_endpoint_enforces_each_role,
    |app: TestApp| async move {
        use reqwest::Method;
        let t = team(&app).await;
        let org = t.org.clone();
        let project = t.project.clone();
        // Spare projects and invitations for the changes each role tries.
        let mut spares = Vec::new();
        for name in ["Spare A", "Spare B", "Spare C", "Spare D", "Spare E"] {
            spares.push(
                crate::organizations::project(&app, &t.owner.access, &org, name).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let project_form = crate::organizations::project_form("Role check", "01.234.567.8-901.000");
        let by_role = |form: &Value, role: &str| {
            let mut form = form.clone();
            form["name"] = json!(format!("By {role}"));
            form
        };
        let who: [(&str, &Person); 5] = [
            ("owner", &t.owner),
            ("admin", &t.admin),
            ("member", &t.member),
            ("billing", &t.billing),
            ("outsider", &t.outsider),
        ];
        // (method, path, body, expected status for owner, admin, member, billing, outsider)
        let mut wrong = Vec::new();
        for (i, (role, person)) in who.iter().enumerate() {
            let spare = &spares[i];
            let cases: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
                (
                    Method::GET,
                    format!("/v1/organizations/{org}"),
                    None,
                    [200, 200, 200, 200, 404],
                ),
                (
                    Method::PATCH,
                    format!("/v1/organizations/{org}"),
                    Some(json!({ "description": format!("Edited by {role}") })),
                    [200, 200, 403, 403, 404],
                ),
                (
                    Method::GET,
                    format!("/v1/organizations/{org}/members"),
                    None,
                    [200, 200, 200, 403, 404],
                ),
                (
                    Method::GET,
                    format!("/v1/organizations/{org}/invitations"),
                    None,
                    [200, 200, 403, 403, 404],
                ),
                (
                    Method::POST,
                    format!("/v1/organizations/{org}/invitations"),
                    Some(json!({ "email": format!("new-{role}@maju.example"), "role": "member" })),
                    [201, 201, 403, 403, 404],
                ),
                (
                    Method::GET,
                    format!("/v1/organizations/{org}/events"),
                    None,
                    [200, 200, 403, 403, 404],
                ),
                (
                    Method::GET,
                    format!("/v1/organizations/{org}/projects"),
                    None,
                    [200, 200, 200, 200, 404],
                ),
                (
                    Method::POST,
                    format!("/v1/organizations/{org}/projects"),
                    Some(by_role(&project_form, role)),
                    [201, 201, 201, 403, 404],
                ),
                (
                    Method::GET,
                    format!("/v1/projects/{project}"),
                    None,
                    [200, 200, 200, 200, 404],
                ),
                (
                    Method::GET,
                    format!("/v1/projects/{project}/history"),
                    None,
                    [200, 200, 200, 403, 404],
                ),
                (
                    Method::PATCH,
                    format!("/v1/projects/{project}"),
                    Some(json!({ "description": format!("Edited by {role}") })),
                    [200, 200, 403, 403, 404],
                ),
                (
                    Method::DELETE,
                    format!("/v1/projects/{spare}"),
                    None,
                    [202, 202, 403, 403, 404],
                ),
                (
                    Method::DELETE,
                    format!("/v1/organizations/{org}"),
                    None,
                    [409, 403, 403, 403, 404],
                ),
            ];
            for (method, path, body, expected) in cases {
                let mut req = app
                    .client
                    .request(method.clone(), app.url(&path))
                    .bearer_auth(&person.access);
                if let Some(body) = &body {
                    req = req.json(body);
                }
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                if status != expected[i] {
                    let text = res.text().await.unwrap();
                    wrong.push(format!(
                        "{role} {method} {path}: {status}, wanted {}: {text:.160}",
                        expected[i]
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);

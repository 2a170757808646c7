//! Projects, told as stories: a member creates a project with the business VAT details (an
//! Indonesian NPWP in either format, typed as people copy it), sees it `pending`, and — once the
//! simulated provisioner's delay has passed — `ready`, with an email saying so. Names are unique
//! within an organization whatever their case; a bad VAT ID is refused with a clear message;
//! polling with an ETag costs a 304 until something changes.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::organizations::{member, organization, project, project_form, wait_for_status};
use crate::support::Person;
use crate::support::{only_field_errors, MAIL_WAIT};

async fn create(app: &TestApp, person: &Person, org_id: &str, form: &Value) -> reqwest::Response {
    app.post_auth(
        &format!("/v1/organizations/{org_id}/projects"),
        &person.access,
        form,
    )
    .await
}

both_backends!(
    a_new_project_is_pending_then_ready_and_its_creator_is_emailed,
    [("PORTAL_PROVISION_DELAY_SECONDS", "60")],
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let org = organization(&app, &person.access).await;
        let org_id = org["id"].as_str().unwrap();

        let res = create(
            &app,
            &person,
            org_id,
            &project_form("Retail Analytics", "01.234.567.8-901.000"),
        )
        .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = res.json().await.unwrap();
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(location, format!("/v1/projects/{id}"));
        assert_eq!(created["organization_id"], org["id"]);
        assert_eq!(created["cluster_status"], "pending");
        assert_eq!(created["cluster_failure_reason"], Value::Null);
        assert_eq!(created["vat_id"], "012345678901000");

        // The journey moves on to MFA.
        let onboarding: Value = app
            .get_auth("/v1/me/onboarding", &person.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(onboarding["remaining_steps"], json!(["activate_mfa"]));

        // Before the delay the cluster stays pending.
        app.settle().await;
        let res = app.get_auth(&location, &person.access).await;
        let still: Value = res.json().await.unwrap();
        assert_eq!(still["cluster_status"], "pending");
        assert_eq!(still["updated_at"], created["updated_at"]);

        app.clock.advance(Duration::from_secs(61));
        let ready = wait_for_status(&app, &person.access, &id, "ready").await;
        assert_ne!(ready["updated_at"], created["updated_at"]);
        assert_eq!(ready["created_at"], created["created_at"]);

        let mail = app
            .mail
            .wait_for(&person.email, "is ready", MAIL_WAIT)
            .await;
        assert!(
            mail.subject.contains("Retail Analytics"),
            "{}",
            mail.subject
        );
        assert!(
            mail.text.contains("PT Maju Jaya Teknologi"),
            "{}",
            mail.text
        );
        assert_eq!(
            mail.first_link_starting_with("http://portal.test/projects/"),
            Some(format!("http://portal.test/projects/{id}"))
        );

        // The list shows the same.
        let list: Value = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/projects"),
                &person.access,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([ready]));
    }
);

both_backends!(
    project_names_are_unique_within_an_organization_whatever_their_case,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let org = organization(&app, &person.access).await;
        let org_id = org["id"].as_str().unwrap();
        project(&app, &person.access, org_id, "Retail Analytics").await;

        for again in ["Retail Analytics", "  retail   ANALYTICS "] {
            let res = create(
                &app,
                &person,
                org_id,
                &project_form(again, "01.234.567.8-901.000"),
            )
            .await;
            only_field_errors(res, &[("name", "project_name_taken")]).await;
        }
        // Reported together with the other bad fields.
        let res = create(
            &app,
            &person,
            org_id,
            &project_form("RETAIL analytics", "123"),
        )
        .await;
        only_field_errors(
            res,
            &[
                ("name", "project_name_taken"),
                ("vat_id", "vat_id_wrong_length"),
            ],
        )
        .await;

        // Another organization may use the name.
        let second = organization(&app, &person.access).await;
        project(
            &app,
            &person.access,
            second["id"].as_str().unwrap(),
            "Retail Analytics",
        )
        .await;

        let list: Value = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/projects"),
                &person.access,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
);

both_backends!(
    a_bad_vat_id_is_refused_with_a_clear_message,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let org = organization(&app, &person.access).await;
        let org_id = org["id"].as_str().unwrap();
        for (vat_id, code, says) in [
            ("01.234.567.8-901.00", "vat_id_wrong_length", "15 digits"),
            ("3201 1234 5678 00012", "vat_id_wrong_length", "not 17"),
            ("DE123456789", "vat_id_invalid_characters", "only digits"),
            (
                "01/234/567/8/901/000",
                "vat_id_invalid_characters",
                "only digits",
            ),
            ("", "vat_id_required", "required"),
            ("00.000.000.0-000.000", "vat_id_invalid", "NPWP"),
        ] {
            let res = create(
                &app,
                &person,
                org_id,
                &project_form("Retail Analytics", vat_id),
            )
            .await;
            let p = only_field_errors(res, &[("vat_id", code)]).await;
            let message = p.body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(says), "{vat_id:?}: {message}");
        }

        // Every field at once; a missing field is reported like an empty one.
        let res = create(&app, &person, org_id, &json!({ "vat_id": "x" })).await;
        only_field_errors(
            res,
            &[
                ("name", "name_required"),
                ("description", "description_required"),
                ("vat_name", "vat_name_required"),
                ("vat_address", "vat_address_required"),
                ("vat_id", "vat_id_invalid_characters"),
            ],
        )
        .await;
        let list: Value = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/projects"),
                &person.access,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([]));
    }
);

both_backends!(
    npwp_in_the_15_and_16_digit_formats_is_accepted_and_normalized,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let org = organization(&app, &person.access).await;
        let org_id = org["id"].as_str().unwrap();
        for (i, (typed, stored)) in [
            ("01.234.567.8-901.000", "012345678901000"),
            (" 01 234 567 8 901 000 ", "012345678901000"),
            ("3201 1234 5678 0001", "3201123456780001"),
            ("0012.3456.7890.1000", "0012345678901000"),
            ("3201-1234-5678-0001", "3201123456780001"),
        ]
        .into_iter()
        .enumerate()
        {
            let res = create(
                &app,
                &person,
                org_id,
                &project_form(&format!("Project {i}"), typed),
            )
            .await;
            assert_eq!(res.status(), 201, "{typed}: {}", res.text().await.unwrap());
            let created: Value = res.json().await.unwrap();
            assert_eq!(created["vat_id"], stored, "{typed}");
            let read: Value = app
                .get_auth(
                    &format!("/v1/projects/{}", created["id"].as_str().unwrap()),
                    &person.access,
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(read["vat_id"], stored);
        }
    }
);

both_backends!(
    polling_a_project_costs_a_304_until_its_status_changes,
    [("PORTAL_PROVISION_DELAY_SECONDS", "60")],
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let org = organization(&app, &person.access).await;
        let org_id = org["id"].as_str().unwrap();
        let created = project(&app, &person.access, org_id, "Retail Analytics").await;
        let path = format!("/v1/projects/{}", created["id"].as_str().unwrap());
        let list_path = format!("/v1/organizations/{org_id}/projects");

        let get = |path: String, etag: Option<String>| {
            let mut req = app.client.get(app.url(&path)).bearer_auth(&person.access);
            if let Some(etag) = etag {
                req = req.header("If-None-Match", etag);
            }
            req.send()
        };
        let res = get(path.clone(), None).await.unwrap();
        assert_eq!(res.status(), 200);
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with("W/\""), "{etag}");
        let res = get(list_path.clone(), None).await.unwrap();
        let list_etag = res.headers()["etag"].to_str().unwrap().to_owned();

        let res = get(path.clone(), Some(etag.clone())).await.unwrap();
        assert_eq!(res.status(), 304);
        assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
        assert!(res.bytes().await.unwrap().is_empty());
        let res = get(list_path.clone(), Some(list_etag.clone()))
            .await
            .unwrap();
        assert_eq!(res.status(), 304);
        // A list of validators, one of them current.
        let res = get(path.clone(), Some(format!("W/\"stale\", {etag}")))
            .await
            .unwrap();
        assert_eq!(res.status(), 304);

        app.clock.advance(Duration::from_secs(61));
        wait_for_status(
            &app,
            &person.access,
            created["id"].as_str().unwrap(),
            "ready",
        )
        .await;
        let res = get(path.clone(), Some(etag.clone())).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["cluster_status"], "ready");
        let res = get(list_path.clone(), Some(list_etag.clone()))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);

        // Adding a project changes the list's validator too.
        let res = get(list_path.clone(), None).await.unwrap();
        let list_etag = res.headers()["etag"].to_str().unwrap().to_owned();
        project(&app, &person.access, org_id, "Second").await;
        let res = get(list_path, Some(list_etag)).await.unwrap();
        assert_eq!(res.status(), 200);
    }
);

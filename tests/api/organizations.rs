//! Organizations, told as stories: a person who accepted the legal documents picks the sales
//! representative who recommended the portal, creates their organization and owns it; every
//! bad field is reported at once; and nobody else can see it — another account gets the same
//! 404 as for an id that does not exist.
//!
//! The helpers here take people through the journey for the project and provisioning stories.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::support::{only_field_errors, problem, Person, PASSWORD};

/// Signs up, verifies, signs in from a new device and accepts the legal documents if asked.
/// Someone signed in, with the legal documents accepted: at the `create_organization` step.
pub async fn member(app: &TestApp, email: &str) -> Person {
    app.verified_account(email, PASSWORD).await;
    let tokens = app.signed_in(email, PASSWORD).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let onboarding: Value = app
        .get_auth("/v1/me/onboarding", &access)
        .await
        .json()
        .await
        .unwrap();
    if onboarding["next_step"] == "accept_legal_documents" {
        let res = app
            .post_auth(
                "/v1/me/consents",
                &access,
                &json!({ "consents": app.consents().await }),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
    Person {
        access,
        ..Person::from_tokens(email, &tokens)
    }
}

/// The sales representatives the form offers.
pub async fn sales_representatives(app: &TestApp, access: &str) -> Vec<Value> {
    let res = app.get_auth("/v1/sales-representatives", access).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

/// A complete, valid organization form naming `sales_representative_id`.
pub fn organization_form(sales_representative_id: &str) -> Value {
    json!({
        "name": "PT Maju Jaya Teknologi",
        "address": "Jl. Jend. Sudirman Kav. 52-53",
        "country": "ID",
        "description": "Data analytics for retail",
        "business_phone": "+62 21 5150 1234",
        "city": "Jakarta Selatan",
        "region": "DKI Jakarta",
        "zip": "12190",
        "sales_representative_id": sales_representative_id,
    })
}

/// Creates an organization with the first sales representative; returns it.
pub async fn organization(app: &TestApp, access: &str) -> Value {
    let rep = sales_representatives(app, access).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post_auth("/v1/organizations", access, &organization_form(&rep))
        .await;
    assert_eq!(
        res.status(),
        201,
        "organization: {}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

/// A complete, valid project form.
pub fn project_form(name: &str, vat_id: &str) -> Value {
    json!({
        "name": name,
        "description": "Dashboards for the retail team",
        "vat_id": vat_id,
        "vat_name": "PT Maju Jaya Teknologi",
        "vat_address": "Jl. Jend. Sudirman Kav. 52-53, Jakarta 12190",
    })
}

/// Creates a project in `organization_id`; returns it.
pub async fn project(app: &TestApp, access: &str, organization_id: &str, name: &str) -> Value {
    let res = app
        .post_auth(
            &format!("/v1/organizations/{organization_id}/projects"),
            access,
            &project_form(name, "01.234.567.8-901.000"),
        )
        .await;
    assert_eq!(res.status(), 201, "project: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Polls `GET /v1/projects/{id}` (short sleeps, bounded) until the cluster status is `status`.
pub async fn wait_for_status(app: &TestApp, access: &str, project_id: &str, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let res = app
            .get_auth(&format!("/v1/projects/{project_id}"), access)
            .await;
        assert_eq!(res.status(), 200);
        last = res.json().await.unwrap();
        if last["cluster_status"] == status {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the project never became {status}: {last}");
}

both_backends!(
    sales_representatives_are_seeded_and_listed_by_name,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let reps = sales_representatives(&app, &person.access).await;
        assert_eq!(reps.len(), 3, "{reps:?}");
        let names: Vec<&str> = reps.iter().map(|r| r["name"].as_str().unwrap()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for rep in &reps {
            // People see who, not how to reach them.
            assert_eq!(rep.as_object().unwrap().len(), 2, "{rep}");
            assert!(rep["id"].is_string());
        }
        let res = app.get("/v1/sales-representatives").await;
        problem(res, 401, "missing_token").await;
    }
);

both_backends!(
    an_organization_is_created_normalized_and_owned_by_its_creator,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let rep = sales_representatives(&app, &person.access).await[1].clone();
        let mut form = organization_form(rep["id"].as_str().unwrap());
        form["country"] = json!(" id ");
        form["business_phone"] = json!("021 5150 1234");
        form["name"] = json!("  PT Maju   Jaya Teknologi ");
        let res = app
            .post_auth("/v1/organizations", &person.access, &form)
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = res.json().await.unwrap();
        let id = created["id"].as_str().unwrap();
        assert_eq!(location, format!("/v1/organizations/{id}"));
        assert_eq!(created["name"], "PT Maju Jaya Teknologi");
        assert_eq!(created["country"], "ID");
        assert_eq!(created["business_phone"], "+622151501234");
        assert_eq!(created["zip"], "12190");
        assert_eq!(created["role"], "owner");
        assert_eq!(created["sales_representative"], rep);

        let res = app.get_auth(&location, &person.access).await;
        assert_eq!(res.status(), 200);
        let read: Value = res.json().await.unwrap();
        assert_eq!(read, created);

        let list: Value = app
            .get_auth("/v1/organizations", &person.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([created]));

        // The next step is the project.
        let onboarding: Value = app
            .get_auth("/v1/me/onboarding", &person.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(onboarding["next_step"], "create_project");
    }
);

both_backends!(
    every_invalid_organization_field_is_reported_at_once,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let res = app
            .post_auth(
                "/v1/organizations",
                &person.access,
                &json!({
                    "name": " ",
                    "address": "Jl. Sudirman\u{202E}",
                    "country": "XX",
                    "description": "d".repeat(1001),
                    "business_phone": "+62 12",
                    "city": "Jakarta",
                    "zip": "1",
                    "sales_representative_id": "0193a5b0-7e1c-7c3e-8f00-000000000001",
                }),
            )
            .await;
        // `region` is missing: reported like an empty field, not as a malformed body.
        let p = only_field_errors(
            res,
            &[
                ("name", "name_required"),
                ("address", "address_invalid_characters"),
                ("description", "description_too_long"),
                ("region", "region_required"),
                ("country", "country_unknown"),
                ("business_phone", "business_phone_invalid"),
                ("zip", "zip_invalid"),
                ("sales_representative_id", "sales_representative_unknown"),
            ],
        )
        .await;
        for error in p.body["errors"].as_array().unwrap() {
            assert!(
                !error["message"].as_str().unwrap().is_empty(),
                "each field has its own message: {error}"
            );
        }

        // A country's own postal format applies.
        let rep = sales_representatives(&app, &person.access).await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut form = organization_form(&rep);
        form["zip"] = json!("1219");
        let res = app
            .post_auth("/v1/organizations", &person.access, &form)
            .await;
        only_field_errors(res, &[("zip", "zip_invalid_for_country")]).await;

        // Nothing was created.
        let list: Value = app
            .get_auth("/v1/organizations", &person.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([]));

        // Unknown fields are refused, not ignored.
        let mut form = organization_form(&rep);
        form["vat_id"] = json!("01.234.567.8-901.000");
        let res = app
            .post_auth("/v1/organizations", &person.access, &form)
            .await;
        problem(res, 400, "invalid_body").await;
    }
);

both_backends!(
    a_country_must_be_an_assigned_iso_code,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let rep = sales_representatives(&app, &person.access).await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for bad in ["UK", "Indonesia", "IDN", "", "1D"] {
            let mut form = organization_form(&rep);
            form["country"] = json!(bad);
            // With no country the national format of the ZIP cannot apply; keep it generic.
            let res = app
                .post_auth("/v1/organizations", &person.access, &form)
                .await;
            let code = if bad.is_empty() {
                "country_required"
            } else {
                "country_unknown"
            };
            only_field_errors(res, &[("country", code)]).await;
        }
        let mut form = organization_form(&rep);
        form["country"] = json!("sg");
        form["business_phone"] = json!("6123 4567");
        form["zip"] = json!("018956");
        let res = app
            .post_auth("/v1/organizations", &person.access, &form)
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let org: Value = res.json().await.unwrap();
        assert_eq!(org["country"], "SG");
        assert_eq!(org["business_phone"], "+6561234567");
    }
);

both_backends!(
    unknown_or_inactive_sales_representatives_cannot_be_chosen,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        for bad in ["0193a5b0-7e1c-7c3e-8f00-000000000001", "andi", "1 OR 1=1"] {
            let res = app
                .post_auth("/v1/organizations", &person.access, &organization_form(bad))
                .await;
            only_field_errors(
                res,
                &[("sales_representative_id", "sales_representative_unknown")],
            )
            .await;
        }
        let res = app
            .post_auth("/v1/organizations", &person.access, &organization_form(""))
            .await;
        only_field_errors(
            res,
            &[("sales_representative_id", "sales_representative_required")],
        )
        .await;

        // Staff deactivate a representative: no longer listed, no longer accepted.
        let reps = sales_representatives(&app, &person.access).await;
        let gone = reps[0]["id"].as_str().unwrap().to_owned();
        let db = app.db();
        let id = gone.clone();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| {
                portal_api::db::models::sales::update(
                    conn,
                    &id,
                    &portal_api::db::models::sales::SalesRepresentativeChanges {
                        active: Some(false),
                        ..Default::default()
                    },
                )
                .map_err(portal_api::db::DbError::from)
            })
        })
        .await
        .unwrap()
        .unwrap();
        let listed = sales_representatives(&app, &person.access).await;
        assert_eq!(listed.len(), reps.len() - 1);
        assert!(listed.iter().all(|r| r["id"] != gone.as_str()));
        let res = app
            .post_auth(
                "/v1/organizations",
                &person.access,
                &organization_form(&gone),
            )
            .await;
        only_field_errors(
            res,
            &[("sales_representative_id", "sales_representative_inactive")],
        )
        .await;
    }
);

both_backends!(
    another_account_cannot_see_an_organization_or_its_projects,
    |app: TestApp| async move {
        let owner = member(&app, "siti@maju.example").await;
        let org = organization(&app, &owner.access).await;
        let org_id = org["id"].as_str().unwrap();
        let proj = project(&app, &owner.access, org_id, "Retail Analytics").await;
        let project_id = proj["id"].as_str().unwrap();

        let other = member(&app, "budi@other.example").await;
        let own = organization(&app, &other.access).await;
        project(&app, &other.access, own["id"].as_str().unwrap(), "Mine").await;

        // The same 404 as for an organization or project that does not exist.
        let unknown = "0193a5b0-7e1c-7c3e-8f00-000000000099";
        for path in [
            format!("/v1/organizations/{org_id}"),
            format!("/v1/organizations/{unknown}"),
            "/v1/organizations/not-a-uuid".to_owned(),
            format!("/v1/organizations/{org_id}/projects"),
            format!("/v1/projects/{project_id}"),
            format!("/v1/projects/{unknown}"),
        ] {
            let res = app.get_auth(&path, &other.access).await;
            let p = problem(res, 404, "not_found").await;
            assert_eq!(
                p.body["detail"], "There is nothing at this address.",
                "{path}"
            );
        }
        let res = app
            .post_auth(
                &format!("/v1/organizations/{org_id}/projects"),
                &other.access,
                &project_form("Intruder", "01.234.567.8-901.000"),
            )
            .await;
        problem(res, 404, "not_found").await;
        // Even an invalid form says nothing more about someone else's organization.
        let res = app
            .post_auth(
                &format!("/v1/organizations/{org_id}/projects"),
                &other.access,
                &json!({}),
            )
            .await;
        problem(res, 404, "not_found").await;

        let list: Value = app
            .get_auth("/v1/organizations", &other.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(list["items"][0]["id"], own["id"]);

        // The owner still has exactly one project.
        let res = app
            .get_auth(
                &format!("/v1/organizations/{org_id}/projects"),
                &owner.access,
            )
            .await;
        let projects: Value = res.json().await.unwrap();
        assert_eq!(projects["items"].as_array().unwrap().len(), 1);
    }
);

both_backends!(
    project_endpoints_wait_for_an_organization,
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let res = app
            .get_auth(
                "/v1/projects/0193a5b0-7e1c-7c3e-8f00-000000000099",
                &person.access,
            )
            .await;
        let p = problem(res, 403, "onboarding_incomplete").await;
        assert_eq!(p.body["next_step"], "create_organization");
    }
);

//! Sessions: access tokens are EdDSA JWTs a third party can verify offline from the published
//! key set; they expire; bearer problems say why; signing out ends refresh and access at once.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::{problem, signed_in_account};

const EMAIL: &str = "budi@example.co.id";

fn segment(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("three segments");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

both_backends!(
    access_tokens_are_eddsa_jwts_that_verify_offline_with_the_published_key,
    |app: TestApp| async move {
        let tokens = signed_in_account(&app, EMAIL).await;
        let access = tokens["access_token"].as_str().unwrap();
        let header = segment(access, 0);
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["typ"], "at+jwt");
        let kid = header["kid"].as_str().expect("a kid");

        let res = app.get("/.well-known/jwks.json").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/jwk-set+json"));
        let jwks: Value = res.json().await.unwrap();
        let jwk = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid)
            .expect("the token's kid is published")
            .clone();
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(jwk["use"], "sig");
        assert!(jwk.get("d").is_none(), "no private part in the key set");
        let x = jwk["x"].as_str().unwrap();
        // The kid is the RFC 7638 thumbprint of the key.
        let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#
        )));
        assert_eq!(kid, thumbprint);

        let key = DecodingKey::from_ed_components(x).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&["http://portal.test"]);
        validation.set_audience(&["portal-api"]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(access, &key, &validation)
            .expect("the token verifies offline")
            .claims;

        let me: Value = app.get_auth("/v1/me", access).await.json().await.unwrap();
        assert_eq!(claims["sub"], me["id"]);
        assert_eq!(claims["sid"], tokens["session_id"]);
        assert_eq!(claims["role"], "user");
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert_eq!(exp - iat, 900);
        let now = chrono::Utc::now().timestamp();
        assert!((iat - now).abs() < 60, "iat {iat} is now ({now})");

        // Another audience or issuer does not accept it.
        let mut other = Validation::new(Algorithm::EdDSA);
        other.set_audience(&["someone-else"]);
        assert!(jsonwebtoken::decode::<Value>(access, &key, &other).is_err());
        let mut other = Validation::new(Algorithm::EdDSA);
        other.set_audience(&["portal-api"]);
        other.set_issuer(&["https://evil.test"]);
        assert!(jsonwebtoken::decode::<Value>(access, &key, &other).is_err());
    }
);

both_backends!(
    an_expired_access_token_is_refused_with_www_authenticate_and_refresh_gives_a_new_one,
    |app: TestApp| async move {
        let tokens = signed_in_account(&app, EMAIL).await;
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(app.get_auth("/v1/me", access).await.status(), 200);

        app.clock.advance(Duration::from_secs(16 * 60));
        let p = problem(app.get_auth("/v1/me", access).await, 401, "token_expired").await;
        let challenge = p.header("www-authenticate").expect("WWW-Authenticate");
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert_eq!(p.body["next"]["href"], "/v1/sessions/refresh");

        let res = app
            .post(
                "/v1/sessions/refresh",
                &json!({ "refresh_token": tokens["refresh_token"] }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let fresh: Value = res.json().await.unwrap();
        let me = app
            .get_auth("/v1/me", fresh["access_token"].as_str().unwrap())
            .await;
        assert_eq!(me.status(), 200);
        let me: Value = me.json().await.unwrap();
        assert_eq!(me["email"], EMAIL);
    }
);

both_backends!(
    bearer_problems_say_what_is_wrong,
    |app: TestApp| async move {
        let tokens = signed_in_account(&app, EMAIL).await;
        let access = tokens["access_token"].as_str().unwrap();

        let p = problem(app.get("/v1/me").await, 401, "missing_token").await;
        assert_eq!(p.header("www-authenticate").as_deref(), Some("Bearer"));

        // A tampered payload, a token of another type, a token without a signature.
        let parts: Vec<&str> = access.split('.').collect();
        let mut claims = segment(access, 1);
        claims["role"] = json!("admin");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            parts[2]
        );
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
        let unsigned = format!("{none_header}.{}.", parts[1]);
        let hs256 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &segment(access, 1),
            &jsonwebtoken::EncodingKey::from_secret(b"guess"),
        )
        .unwrap();
        for token in [
            "garbage",
            "a.b.c",
            forged.as_str(),
            unsigned.as_str(),
            hs256.as_str(),
            &"x".repeat(5000),
        ] {
            let p = problem(app.get_auth("/v1/me", token).await, 401, "invalid_token").await;
            let challenge = p.header("www-authenticate").expect("WWW-Authenticate");
            assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        }
        // Another scheme.
        let res = app
            .client
            .get(app.url("/v1/me"))
            .header("authorization", format!("Basic {access}"))
            .send()
            .await
            .unwrap();
        problem(res, 401, "invalid_token").await;
        // The genuine token still works.
        assert_eq!(app.get_auth("/v1/me", access).await.status(), 200);
    }
);

both_backends!(
    signing_out_ends_refresh_and_access_at_once,
    |app: TestApp| async move {
        let tokens = signed_in_account(&app, EMAIL).await;
        let access = tokens["access_token"].as_str().unwrap();
        let res = app.delete_auth("/v1/sessions/current", access).await;
        assert_eq!(res.status(), 204);
        let cleared: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(
            cleared
                .iter()
                .any(|c| c.starts_with("portal_refresh=") && c.contains("Max-Age=0")),
            "the refresh cookie is cleared: {cleared:?}"
        );

        let p = problem(
            app.post(
                "/v1/sessions/refresh",
                &json!({ "refresh_token": tokens["refresh_token"] }),
            )
            .await,
            401,
            "invalid_refresh_token",
        )
        .await;
        assert_eq!(p.body["next"]["href"], "/v1/sessions");
        let p = problem(app.get_auth("/v1/me", access).await, 401, "session_ended").await;
        assert_eq!(p.body["next"]["href"], "/v1/sessions");

        // The device stays trusted: signing in again needs no code.
        let res = app
            .post(
                "/v1/sessions",
                &json!({
                    "email": EMAIL,
                    "password": crate::support::PASSWORD,
                    "device_token": tokens["device_token"],
                }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    signing_out_needs_a_valid_access_token,
    |app: TestApp| async move {
        let p = problem(
            app.client
                .delete(app.url("/v1/sessions/current"))
                .send()
                .await
                .unwrap(),
            401,
            "missing_token",
        )
        .await;
        assert_eq!(p.header("www-authenticate").as_deref(), Some("Bearer"));
        problem(
            app.delete_auth("/v1/sessions/current", "garbage").await,
            401,
            "invalid_token",
        )
        .await;
    }
);

both_backends!(
    refresh_without_a_token_or_with_an_unknown_one_is_refused,
    |app: TestApp| async move {
        for body in [
            json!({}),
            json!({ "refresh_token": "" }),
            json!({ "refresh_token": "unknown" }),
            json!({ "refresh_token": "x".repeat(129) }),
        ] {
            problem(
                app.post("/v1/sessions/refresh", &body).await,
                401,
                "invalid_refresh_token",
            )
            .await;
        }
    }
);

both_backends!(
    a_session_ends_when_its_refresh_token_expires,
    |app: TestApp| async move {
        let tokens = signed_in_account(&app, EMAIL).await;
        app.clock.advance(Duration::from_secs(15 * 24 * 3600));
        problem(
            app.post(
                "/v1/sessions/refresh",
                &json!({ "refresh_token": tokens["refresh_token"] }),
            )
            .await,
            401,
            "invalid_refresh_token",
        )
        .await;
    }
);

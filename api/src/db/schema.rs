//! Table definitions shared by both backends; kept in step with `migrations/`.

diesel::table! {
    accounts (id) {
        id -> Text,
        email -> Text,
        email_normalized -> Text,
        full_name -> Text,
        phone_number -> Text,
        password_hash -> Nullable<Text>,
        account_type -> Text,
        role -> Text,
        locale -> Text,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    legal_documents (id) {
        id -> Text,
        kind -> Text,
        version -> Text,
        language -> Text,
        title -> Text,
        body -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        account_id -> Text,
        kind -> Text,
        version -> Text,
        accepted_at -> Timestamp,
        client_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    email_verifications (id) {
        id -> Text,
        account_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    devices (id) {
        id -> Text,
        account_id -> Text,
        token_hash -> Text,
        label -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        last_ip -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_in_challenges (id) {
        id -> Text,
        account_id -> Text,
        step -> Text,
        code_hash -> Nullable<Text>,
        attempts -> Integer,
        sends -> Integer,
        last_sent_at -> Nullable<Timestamp>,
        device_id -> Nullable<Text>,
        use_cookies -> Bool,
        client_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        account_id -> Text,
        device_id -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        recipient -> Text,
        template -> Text,
        language -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    throttles (key) {
        key -> Text,
        hits -> Integer,
        window_started_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    captcha_redemptions (challenge_id) {
        challenge_id -> Text,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(consents -> accounts (account_id));
diesel::joinable!(email_verifications -> accounts (account_id));
diesel::joinable!(devices -> accounts (account_id));
diesel::joinable!(sign_in_challenges -> accounts (account_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    legal_documents,
    consents,
    email_verifications,
    devices,
    sign_in_challenges,
    sessions,
    refresh_tokens,
    outbox,
    throttles,
    captcha_redemptions,
);

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
        closed_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        first_project_at -> Nullable<Timestamp>,
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
        issue_device_token -> Bool,
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
        client_id -> Nullable<Text>,
        scopes -> Nullable<Text>,
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

diesel::table! {
    sales_representatives (id) {
        id -> Text,
        name -> Text,
        email -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        address -> Text,
        country -> Text,
        description -> Text,
        business_phone -> Text,
        city -> Text,
        region -> Text,
        zip -> Text,
        sales_representative_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organization_members (organization_id, account_id) {
        organization_id -> Text,
        account_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    projects (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        name_normalized -> Text,
        description -> Text,
        vat_id -> Text,
        vat_name -> Text,
        vat_address -> Text,
        cluster_status -> Text,
        cluster_failure_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deletion_requested_by -> Nullable<Text>,
    }
}

diesel::table! {
    project_status_changes (id) {
        id -> Text,
        project_id -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        subject_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_run_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        traceparent -> Nullable<Text>,
    }
}

diesel::table! {
    mfa_totp (account_id) {
        account_id -> Text,
        secret_ciphertext -> Text,
        pending_secret_ciphertext -> Nullable<Text>,
        activated_at -> Nullable<Timestamp>,
        last_used_step -> BigInt,
        failed_attempts -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        account_id -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        account_id -> Text,
        token_hash -> Text,
        invited_by -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    security_events (id) {
        id -> Text,
        account_id -> Text,
        kind -> Text,
        occurred_at -> Timestamp,
        client_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        account_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        client_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    email_changes (id) {
        id -> Text,
        account_id -> Text,
        session_id -> Nullable<Text>,
        old_email -> Text,
        new_email -> Text,
        new_email_normalized -> Text,
        confirm_token_hash -> Text,
        cancel_token_hash -> Text,
        confirmed_cancel_token_hash -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        cancel_until -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    account_closures (id) {
        id -> Text,
        account_id -> Text,
        restore_token_hash -> Text,
        closed_by -> Nullable<Text>,
        closed_at -> Timestamp,
        erase_after -> Timestamp,
        restored_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organization_invitations (id) {
        id -> Text,
        organization_id -> Text,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        invited_by -> Text,
        created_at -> Timestamp,
        sent_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        accepted_by -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organization_events (id) {
        id -> Text,
        organization_id -> Text,
        kind -> Text,
        actor_id -> Nullable<Text>,
        subject_account_id -> Nullable<Text>,
        subject_email -> Nullable<Text>,
        role -> Nullable<Text>,
        occurred_at -> Timestamp,
        client_ip -> Nullable<Text>,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    personal_access_tokens (id) {
        id -> Text,
        account_id -> Text,
        name -> Text,
        token_hash -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        last_used_ip -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        expiry_notice_sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oauth_clients (client_id) {
        client_id -> Text,
        name -> Text,
        kind -> Text,
        secret_hash -> Nullable<Text>,
        scopes -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    device_authorizations (id) {
        id -> Text,
        device_code_hash -> Text,
        user_code -> Text,
        client_id -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        interval_seconds -> Integer,
        last_polled_at -> Nullable<Timestamp>,
        status -> Text,
        account_id -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        client_ip -> Nullable<Text>,
    }
}

diesel::joinable!(consents -> accounts (account_id));
diesel::joinable!(account_closures -> accounts (account_id));
diesel::joinable!(email_changes -> accounts (account_id));
diesel::joinable!(password_resets -> accounts (account_id));
diesel::joinable!(email_verifications -> accounts (account_id));
diesel::joinable!(devices -> accounts (account_id));
diesel::joinable!(sign_in_challenges -> accounts (account_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(organizations -> sales_representatives (sales_representative_id));
diesel::joinable!(organization_members -> organizations (organization_id));
diesel::joinable!(organization_members -> accounts (account_id));
diesel::joinable!(organization_invitations -> organizations (organization_id));
diesel::joinable!(organization_events -> organizations (organization_id));
diesel::joinable!(projects -> organizations (organization_id));
diesel::joinable!(personal_access_tokens -> accounts (account_id));
diesel::joinable!(device_authorizations -> oauth_clients (client_id));
diesel::joinable!(project_status_changes -> projects (project_id));
diesel::joinable!(mfa_totp -> accounts (account_id));
diesel::joinable!(recovery_codes -> accounts (account_id));
diesel::joinable!(security_events -> accounts (account_id));

diesel::table! {
    idempotency_keys (scope, operation, idempotency_key) {
        scope -> Text,
        operation -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        locked_until -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    idempotency_keys,
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
    sales_representatives,
    organizations,
    organization_members,
    organization_invitations,
    organization_events,
    projects,
    project_status_changes,
    personal_access_tokens,
    oauth_clients,
    device_authorizations,
    jobs,
    mfa_totp,
    recovery_codes,
    invitations,
    security_events,
    password_resets,
    email_changes,
    account_closures,
);

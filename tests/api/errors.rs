//! Bad input gets a clear 4xx problem+json answer.

use portal_tests::{assert_problem, both_backends, TestApp};

both_backends!(
    unknown_routes_and_wrong_methods_are_problems,
    |app: TestApp| async move {
        assert_problem(app.get("/v1/nothing-here").await, 404, "not_found").await;
        assert_problem(app.get("/v1/accounts").await, 405, "method_not_allowed").await;
    }
);

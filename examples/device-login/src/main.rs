//! `portal-device-login [--url URL] [--client-id ID] [--scope SCOPES]`: signs in to Service
//! Portal by device code — prints a code and a link, waits while you approve it in the browser —
//! then lists your organizations and their projects. See the crate's library for the steps.

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut options = portal_device_login::Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match arg.as_str() {
            "--url" => options.base_url = value(),
            "--client-id" => options.client_id = value(),
            "--scope" => options.scope = value(),
            "-h" | "--help" => {
                println!(
                    "usage: portal-device-login [--url http://127.0.0.1:8080] [--client-id portal] \
                     [--scope \"organizations:read projects:read\"]"
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}; see --help");
                return ExitCode::from(2);
            }
        }
    }
    let show = |code: &portal_device_login::DeviceCode| {
        println!(
            "To sign in, open {} and enter the code {}\n(or open {})\nWaiting for approval…",
            code.verification_uri, code.user_code, code.verification_uri_complete
        );
    };
    match portal_device_login::run(&options, show).await {
        Ok(listing) => {
            print!("{}", listing.render());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

// Wired when its endpoints are in openapi/openapi.json.
export function CreateProjectPage(_: { onboarding?: boolean }) {
  return null;
}

// Wired when its endpoints are in openapi/openapi.json.
export function CreateOrganizationPage() {
  return null;
}

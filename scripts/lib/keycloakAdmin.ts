import { form, httpsRequest } from "./https";

/**
 * How to reach Keycloak's admin REST API: the keycloak provider's settings
 * (`keycloak:*` stack config, or its KEYCLOAK_* environment variables).
 */
export interface KeycloakAdminSettings {
    /** Base URL, e.g. `https://keycloak.example.com`. */
    url: string;
    /** Realm the admin client logs in to (`master` by default). */
    realm: string;
    clientId: string;
    /** Password grant when set, with `password`; otherwise client credentials with `clientSecret`. */
    username?: string;
    password?: string;
    clientSecret?: string;
    /** Legacy path prefix (`/auth` for Keycloak before 17). */
    basePath: string;
    /** PEM of the CA that signed Keycloak's certificate, when not a public one. */
    rootCaCertificate?: string;
    tlsInsecureSkipVerify: boolean;
}

/**
 * The provider's settings from stack config values by full key
 * (`keycloak:url`), falling back to the environment variables the provider
 * reads. Throws naming the missing setting.
 */
export function keycloakAdminSettings(
    config: Record<string, string | undefined>,
    env: NodeJS.ProcessEnv = process.env,
): KeycloakAdminSettings {
    const get = (key: string, variable: string) => config[`keycloak:${key}`] ?? env[variable];
    const url = get("url", "KEYCLOAK_URL");
    const clientId = get("clientId", "KEYCLOAK_CLIENT_ID");
    if (!url) throw new Error("keycloak:url is not set (nor KEYCLOAK_URL)");
    if (!clientId) throw new Error("keycloak:clientId is not set (nor KEYCLOAK_CLIENT_ID)");
    return {
        url: url.replace(/\/+$/, ""),
        realm: get("realm", "KEYCLOAK_REALM") ?? "master",
        clientId,
        username: get("username", "KEYCLOAK_USER"),
        password: get("password", "KEYCLOAK_PASSWORD"),
        clientSecret: get("clientSecret", "KEYCLOAK_CLIENT_SECRET"),
        basePath: config["keycloak:basePath"] ?? "",
        rootCaCertificate: config["keycloak:rootCaCertificate"],
        tlsInsecureSkipVerify: config["keycloak:tlsInsecureSkipVerify"] === "true",
    };
}

/** A call to Keycloak's admin REST API (`/admin/realms/...`) with a fresh admin token. */
export class KeycloakAdminApi {
    constructor(private readonly settings: KeycloakAdminSettings) {}

    private base(): string {
        return `${this.settings.url}${this.settings.basePath}`;
    }

    private tls(): { ca?: string; rejectUnauthorized?: boolean } {
        return {
            ca: this.settings.rootCaCertificate,
            ...(this.settings.tlsInsecureSkipVerify ? { rejectUnauthorized: false } : {}),
        };
    }

    /** An admin access token; throws with the token URL and HTTP status (never the credential) when refused. */
    async token(): Promise<string> {
        const s = this.settings;
        const tokenUrl = `${this.base()}/realms/${s.realm}/protocol/openid-connect/token`;
        const grant: Record<string, string> = s.username
            ? { grant_type: "password", client_id: s.clientId, username: s.username, password: s.password ?? "" }
            : { grant_type: "client_credentials", client_id: s.clientId, client_secret: s.clientSecret ?? "" };
        const response = await httpsRequest(tokenUrl, { method: "POST", ...form(grant), ...this.tls() });
        if (response.status !== 200) throw new Error(`Keycloak admin login at ${tokenUrl}: HTTP ${response.status}`);
        return JSON.parse(response.body).access_token as string;
    }

    /** `method` on `/admin/realms{path}`; the status, and the parsed body when there is one. */
    async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
        const response = await httpsRequest(`${this.base()}/admin/realms${path}`, {
            method,
            headers: { Authorization: `Bearer ${await this.token()}`, "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            ...this.tls(),
        });
        return { status: response.status, body: response.body ? (JSON.parse(response.body) as T) : (undefined as T) };
    }
}

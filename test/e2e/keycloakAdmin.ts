import { LocalCluster } from "../harness/localCluster";
import { form, httpsRequest } from "../../scripts/lib/https";

/** A Keycloak client as the admin REST API shows it. */
export interface KeycloakClient {
    id: string;
    clientId: string;
    publicClient: boolean;
    standardFlowEnabled: boolean;
    directAccessGrantsEnabled: boolean;
    redirectUris: string[];
    attributes: Record<string, string>;
    protocolMappers?: { name: string; protocolMapper: string; config: Record<string, string> }[];
}

/**
 * Reads what the program made in the local Keycloak through its admin REST
 * API, for assertions; and makes the one thing the program never makes, a
 * realm that exists before the stack (for `createRealm: false`).
 */
export class KeycloakAdmin {
    constructor(private readonly cluster: LocalCluster) {}

    private ca(): string {
        return this.cluster.read(this.cluster.info.keycloakCaCertificatePath);
    }

    private async adminToken(): Promise<string> {
        const response = await httpsRequest(
            `${this.cluster.info.keycloakUrl}/realms/master/protocol/openid-connect/token`,
            {
                method: "POST",
                ...form({
                    grant_type: "password",
                    client_id: "admin-cli",
                    username: this.cluster.info.keycloakAdminUser,
                    password: this.cluster.info.keycloakAdminPassword,
                }),
                ca: this.ca(),
            },
        );
        if (response.status !== 200) throw new Error(`Keycloak admin login: HTTP ${response.status}`);
        return JSON.parse(response.body).access_token;
    }

    /** An admin API call under /admin/realms; the status, and the parsed body when there is one. */
    async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
        const response = await httpsRequest(`${this.cluster.info.keycloakUrl}/admin/realms${path}`, {
            method,
            headers: { Authorization: `Bearer ${await this.adminToken()}`, "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            ca: this.ca(),
        });
        return { status: response.status, body: response.body ? JSON.parse(response.body) : undefined };
    }

    async get<T>(path: string): Promise<T> {
        const { status, body } = await this.call<T>("GET", path);
        if (status !== 200) throw new Error(`Keycloak GET ${path}: HTTP ${status}`);
        return body;
    }

    async realmExists(realm: string): Promise<boolean> {
        return (await this.call("GET", `/${realm}`)).status === 200;
    }

    async client(realm: string, clientId: string): Promise<KeycloakClient | undefined> {
        return (await this.get<KeycloakClient[]>(`/${realm}/clients?clientId=${encodeURIComponent(clientId)}`))[0];
    }

    /** Replaces a client's representation (to change a setting for a control case, then restore it). */
    async updateClient(realm: string, representation: KeycloakClient): Promise<void> {
        const { status } = await this.call("PUT", `/${realm}/clients/${representation.id}`, representation);
        if (status !== 204) throw new Error(`Keycloak: updating client ${representation.clientId}: HTTP ${status}`);
    }

    async clientSecret(realm: string, client: KeycloakClient): Promise<string> {
        return (await this.get<{ value: string }>(`/${realm}/clients/${client.id}/client-secret`)).value;
    }

    async user(realm: string, username: string): Promise<{ id: string; username: string; email: string } | undefined> {
        const users = await this.get<{ id: string; username: string; email: string }[]>(
            `/${realm}/users?exact=true&username=${encodeURIComponent(username)}`,
        );
        return users[0];
    }

    async userGroups(realm: string, userId: string): Promise<string[]> {
        return (await this.get<{ name: string }[]>(`/${realm}/users/${userId}/groups`)).map((g) => g.name).sort();
    }

    async groups(realm: string): Promise<string[]> {
        return (await this.get<{ name: string }[]>(`/${realm}/groups`)).map((g) => g.name).sort();
    }

    async users(realm: string): Promise<string[]> {
        return (await this.get<{ username: string }[]>(`/${realm}/users`)).map((u) => u.username).sort();
    }

    /** Creates an empty realm, as a team's own Keycloak admin would before using kube-access with it. */
    async createEmptyRealm(realm: string): Promise<void> {
        await this.call("DELETE", `/${realm}`);
        const { status } = await this.call("POST", "", { realm, enabled: true });
        if (status !== 201) throw new Error(`Keycloak: creating realm ${realm}: HTTP ${status}`);
    }

    async deleteRealm(realm: string): Promise<void> {
        await this.call("DELETE", `/${realm}`);
    }
}

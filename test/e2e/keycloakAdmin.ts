import { LocalCluster } from "../harness/localCluster";
import { KeycloakAdminApi } from "../../scripts/lib/keycloakAdmin";

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
    private readonly api: KeycloakAdminApi;

    constructor(cluster: LocalCluster) {
        this.api = new KeycloakAdminApi({
            url: cluster.info.keycloakUrl,
            realm: "master",
            clientId: "admin-cli",
            username: cluster.info.keycloakAdminUser,
            password: cluster.info.keycloakAdminPassword,
            basePath: "",
            rootCaCertificate: cluster.read(cluster.info.keycloakCaCertificatePath),
            tlsInsecureSkipVerify: false,
        });
    }

    /** An admin API call under /admin/realms; the status, and the parsed body when there is one. */
    call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
        return this.api.call<T>(method, path, body);
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

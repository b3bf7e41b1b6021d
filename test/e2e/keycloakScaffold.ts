import { LocalCluster } from "../../scripts/lib/localCluster";
import { form, httpsRequest } from "../../scripts/lib/https";

/**
 * Test scaffolding, not product code: the Keycloak provider for Pulumi cannot
 * be built on this machine (the module proxy refuses it; docs/engine.md), so
 * the program's KeycloakAccess component cannot run here. These admin REST
 * calls create the same realm, client, mappers, group and user that
 * KeycloakAccess declares (its inputs are checked by the mock tests), so the
 * API server side of OIDC can be proven against a real Keycloak.
 */
export class KeycloakScaffold {
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
        if (response.status !== 200) throw new Error(`Keycloak admin login: ${response.status} ${response.body}`);
        return JSON.parse(response.body).access_token;
    }

    private async admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
        const response = await httpsRequest(`${this.cluster.info.keycloakUrl}/admin/realms${path}`, {
            method,
            headers: { Authorization: `Bearer ${await this.adminToken()}`, "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            ca: this.ca(),
        });
        if (response.status >= 300 && !(method === "DELETE" && response.status === 404)) {
            throw new Error(`Keycloak ${method} ${path}: ${response.status} ${response.body}`);
        }
        return response;
    }

    /** Creates the realm, confidential client with password grant, mappers, group and user; returns the client secret. */
    async createRealm(args: {
        realm: string;
        clientId: string;
        groupsClaim: string;
        group: string;
        user: { username: string; email: string; firstName: string; lastName: string; password: string };
    }): Promise<string> {
        await this.admin("DELETE", `/${args.realm}`);
        await this.admin("POST", "", { realm: args.realm, enabled: true });
        await this.admin("POST", `/${args.realm}/clients`, {
            clientId: args.clientId,
            publicClient: false,
            standardFlowEnabled: true,
            directAccessGrantsEnabled: true,
            redirectUris: ["http://localhost:8000", "http://localhost:18000"],
            attributes: { "pkce.code.challenge.method": "S256" },
            protocolMappers: [
                {
                    name: "kubernetes-groups",
                    protocol: "openid-connect",
                    protocolMapper: "oidc-group-membership-mapper",
                    config: {
                        "claim.name": args.groupsClaim,
                        "full.path": "false",
                        "id.token.claim": "true",
                        "access.token.claim": "true",
                        "userinfo.token.claim": "true",
                    },
                },
                {
                    name: "kubernetes-audience",
                    protocol: "openid-connect",
                    protocolMapper: "oidc-audience-mapper",
                    config: {
                        "included.client.audience": args.clientId,
                        "id.token.claim": "true",
                        "access.token.claim": "true",
                    },
                },
            ],
        });
        await this.admin("POST", `/${args.realm}/groups`, { name: args.group });
        await this.admin("POST", `/${args.realm}/users`, {
            username: args.user.username,
            email: args.user.email,
            firstName: args.user.firstName,
            lastName: args.user.lastName,
            emailVerified: true,
            enabled: true,
            groups: [`/${args.group}`],
            credentials: [{ type: "password", value: args.user.password, temporary: false }],
        });
        const clients = JSON.parse((await this.admin("GET", `/${args.realm}/clients?clientId=${args.clientId}`)).body);
        const secret = await this.admin("GET", `/${args.realm}/clients/${clients[0].id}/client-secret`);
        return JSON.parse(secret.body).value;
    }

    /** A client's representation as the admin API returns it (attributes, publicClient, ...). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async client(realm: string, clientId: string): Promise<Record<string, any>> {
        const found = JSON.parse((await this.admin("GET", `/${realm}/clients?clientId=${clientId}`)).body);
        return found[0];
    }

    /** Replaces a client's representation (to change a setting for a control case, then restore it). */
    async updateClient(realm: string, representation: Record<string, unknown>): Promise<void> {
        await this.admin("PUT", `/${realm}/clients/${representation.id}`, representation);
    }

    async deleteRealm(realm: string): Promise<void> {
        await this.admin("DELETE", `/${realm}`);
    }
}

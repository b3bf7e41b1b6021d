import type { LocalClusterPorts } from "./localCluster";

/**
 * Loopback ports of every local cluster the end-to-end suites and
 * `npm run bench -- --real` start, one block per suite, so two suites never
 * share a port and none collides with the demo's (2379, 2380, 6443, 8080,
 * 8443, 10257).
 *
 * Every port lies below 32768: Linux hands out the ports of outgoing
 * connections from `net.ipv4.ip_local_port_range` (32768-60999 by default),
 * and a port held by such a connection cannot be listened on, while a probe
 * for listeners does not see it. A suite on 53380 failed that way in CI.
 * test/ports.test.ts checks the table.
 */
export const clusterPorts = {
    /** The many-user clusters: the scale test and the bench (never at once: both take the e2e lock). */
    scale: { etcd: 9379, etcdPeer: 9380, apiServer: 9643, controllerManager: 9257, keycloak: 9843, keycloakHttp: 9880 },
    faults: {
        etcd: 12379,
        etcdPeer: 12380,
        apiServer: 16443,
        controllerManager: 11257,
        keycloak: 18443,
        keycloakHttp: 18088,
    },
    upgrade: {
        etcd: 13379,
        etcdPeer: 13380,
        apiServer: 13443,
        controllerManager: 13257,
        keycloak: 13843,
        keycloakHttp: 13088,
    },
    accessReport: {
        etcd: 14379,
        etcdPeer: 14380,
        apiServer: 14443,
        controllerManager: 14257,
        keycloak: 14843,
        keycloakHttp: 14088,
    },
    realWorldInputs: {
        etcd: 15379,
        etcdPeer: 15380,
        apiServer: 15443,
        controllerManager: 15257,
        keycloak: 15843,
        keycloakHttp: 15088,
    },
    impersonation: {
        etcd: 17379,
        etcdPeer: 17380,
        apiServer: 17443,
        controllerManager: 17257,
        keycloak: 17843,
        keycloakHttp: 17088,
    },
    authenticatingProxy: {
        etcd: 19379,
        etcdPeer: 19380,
        apiServer: 19443,
        controllerManager: 19257,
        keycloak: 19843,
        keycloakHttp: 19088,
    },
    access: {
        etcd: 23791,
        etcdPeer: 23801,
        apiServer: 26443,
        controllerManager: 20257,
        keycloak: 28443,
        keycloakHttp: 28080,
    },
    /** tools/local-cluster.sh driven directly (start, status, stop). */
    localCluster: {
        etcd: 23792,
        etcdPeer: 23802,
        apiServer: 26444,
        controllerManager: 20258,
        keycloak: 28444,
        keycloakHttp: 28081,
    },
} satisfies Record<string, Required<LocalClusterPorts>>;

/** The demo's ports: tools/local-cluster.sh's defaults. */
export const demoPorts = [2379, 2380, 6443, 8080, 8443, 10257];

/**
 * Loopback ports of the local clusters that onboard many users: the scale
 * end-to-end test and `npm run bench -- --real` (never at once: both run
 * under the e2e lock). The other end-to-end suites use 1xxxx to 5xxxx, the
 * demo 2379/6443/8080/8443.
 */
export const scalePorts = {
    etcd: 9379,
    etcdPeer: 9380,
    apiServer: 9643,
    controllerManager: 9257,
    keycloak: 9843,
    keycloakHttp: 9880,
};

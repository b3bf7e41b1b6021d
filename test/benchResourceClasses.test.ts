import * as kubernetes from "@pulumi/kubernetes";
import * as tls from "@pulumi/tls";
import * as keycloak from "@pulumi/keycloak";
import { ProviderPackages, resourceClass } from "../scripts/bench/resourceClasses";

const packages = { kubernetes, tls, keycloak } as unknown as ProviderPackages;

describe("the mock comparison's baseline declares resources through the providers' own classes", () => {
    it.each([
        ["kubernetes:core/v1:Namespace", kubernetes.core.v1.Namespace],
        ["kubernetes:core/v1:Secret", kubernetes.core.v1.Secret],
        ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", kubernetes.rbac.v1.RoleBinding],
        ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", kubernetes.rbac.v1.ClusterRoleBinding],
        [
            "kubernetes:certificates.k8s.io/v1:CertificateSigningRequest",
            kubernetes.certificates.v1.CertificateSigningRequest,
        ],
        ["tls:index/privateKey:PrivateKey", tls.PrivateKey],
        ["tls:index/locallySignedCert:LocallySignedCert", tls.LocallySignedCert],
        ["keycloak:index/userGroups:UserGroups", keycloak.UserGroups],
        ["keycloak:openid/client:Client", keycloak.openid.Client],
        [
            "keycloak:openid/groupMembershipProtocolMapper:GroupMembershipProtocolMapper",
            keycloak.openid.GroupMembershipProtocolMapper,
        ],
        ["pulumi:providers:kubernetes", kubernetes.Provider],
        ["pulumi:providers:keycloak", keycloak.Provider],
    ])("%s", (type, expected) => {
        expect(resourceClass(packages, type)).toBe(expected);
    });

    it.each([
        // kube-access's dynamic resources have no provider package: the baseline declares them bare.
        "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate",
        // A name the package does not export, a module it lacks, another package, malformed tokens.
        "kubernetes:core/v1:NoSuchKind",
        "kubernetes:nosuchgroup.example.com/v1:Namespace",
        "tls:index/privateKey:Namespace",
        "aws:s3/bucket:Bucket",
        "pulumi:providers:aws",
        "kubernetes",
        "",
        // A class exported under another token's path is not taken for it.
        "kubernetes:core/v2:Namespace",
    ])("none for %s", (type) => {
        expect(resourceClass(packages, type)).toBeUndefined();
    });
});

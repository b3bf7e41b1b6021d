import * as fs from "fs"; import * as os from "os"; import * as path from "path";
import { writeAccessFiles } from "./scripts/lib/generatedAccess";
import { validateWithAccessFiles } from "./components/intake/accessFiles";
import { validateAccessSpec } from "./components/access/validate";
import { testCa } from "./test/helpers/fixtures";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "valprof-"));
const { accessFiles } = writeAccessFiles(dir, 1000, ["certificate-csr","certificate-cluster","certificate-external","serviceAccount","oidc"] as any);
const ca = testCa();
const raw: any = { cluster: { name: "bench", server: "https://127.0.0.1:9643", caCertificate: ca.certificatePem }, clusterCaKey: ca.privateKeyPem, clusterKubeconfig: "apiVersion: v1\nkind: Config\n", oidc: { issuerUrl: "https://127.0.0.1:9843/realms/bench", realm: "bench" }, accessFiles };
const secretKeys = ["clusterCaKey", "clusterKubeconfig"];
for (let i = 0; i < 3; i++) { const c = process.cpuUsage(); validateWithAccessFiles(raw, dir, (m) => validateAccessSpec(m, { secretKeys })); const d = process.cpuUsage(c); console.log("validate cpu ms", (d.user + d.system) / 1000); }
fs.rmSync(dir, { recursive: true });

/** CSR decoding for assertions; openssl checks the same requests independently in the end-to-end suite. */
export { parseCsrPem as decodeCsr } from "../../components/x509/csr";
export type { ParsedCsr as DecodedCsr } from "../../components/x509/csr";

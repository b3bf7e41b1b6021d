/** Patterns that must never appear in plain text in state files or logs. */
export const plainSecretPatterns: [string, RegExp][] = [
    ["a PEM private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    [
        "a base64 PEM private key (kubeconfig client-key-data)",
        /LS0tLS1CRUdJTiBbQS1aIF0qUFJJVkFURSBLRVk|LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVkt|LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0|LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0/,
    ],
    ["a kubeconfig", /client-key-data|current-context:/],
];

/** Names every pattern (and every exact value) found in the text. */
export function findPlainSecrets(text: string, exactValues: string[] = []): string[] {
    const found = plainSecretPatterns.filter(([, re]) => re.test(text)).map(([name]) => name);
    for (const value of exactValues) {
        if (value.length >= 8 && text.includes(value)) found.push(`the value ${value.slice(0, 4)}…`);
    }
    return found;
}

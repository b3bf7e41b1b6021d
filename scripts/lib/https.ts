import * as https from "https";

/** A response read in full. */
export interface HttpResponse {
    status: number;
    body: string;
}

/** Sends one HTTPS request trusting the given CA (PEM); returns status and body. */
export function httpsRequest(
    url: string,
    options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
        const request = https.request(
            url,
            { method: options.method ?? "GET", headers: options.headers, ca: options.ca, timeout: 30000 },
            (response) => {
                let body = "";
                response.setEncoding("utf8");
                response.on("data", (chunk) => (body += chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
            },
        );
        request.on("timeout", () => request.destroy(new Error(`timeout: ${options.method ?? "GET"} ${url}`)));
        request.on("error", reject);
        request.end(options.body);
    });
}

/** A form-encoded POST body. */
export function form(fields: Record<string, string>): { headers: Record<string, string>; body: string } {
    return {
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
    };
}

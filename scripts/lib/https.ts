import * as http from "http";
import * as https from "https";

/** A response read in full. */
export interface HttpResponse {
    status: number;
    body: string;
}

/**
 * Sends one HTTPS request trusting the given CA (PEM), or `rejectUnauthorized:
 * false` trusting any certificate; returns status and body. An `http:` URL is
 * sent in the clear.
 */
export function httpsRequest(
    url: string,
    options: {
        method?: string;
        headers?: Record<string, string>;
        body?: string;
        ca?: string;
        rejectUnauthorized?: boolean;
    } = {},
): Promise<HttpResponse> {
    const send = url.startsWith("http:") ? http.request : https.request;
    return new Promise((resolve, reject) => {
        const request = send(
            url,
            {
                method: options.method ?? "GET",
                headers: options.headers,
                ca: options.ca,
                rejectUnauthorized: options.rejectUnauthorized,
                timeout: 30000,
            },
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

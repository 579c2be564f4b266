import { STATUS_CODES } from "node:http";

/** The RFC 7807 body, keys in upstream SMD's order. */
export interface ProblemBody {
  type: string;
  title: string;
  detail: string;
  status: number;
  instance?: string;
}

/**
 * The one error type handlers throw. The HTTP layer renders it once as
 * `application/problem+json`; `title` is always the status's reason phrase.
 */
export class Problem extends Error {
  readonly status: number;
  readonly detail: string;
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    detail: string,
    options: { type?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "Problem";
    this.status = status;
    this.detail = detail;
    this.type = options.type ?? "about:blank";
    this.headers = options.headers ?? {};
  }

  get title(): string {
    return STATUS_CODES[this.status] ?? "Error";
  }

  toJSON(): ProblemBody {
    return { type: this.type, title: this.title, detail: this.detail, status: this.status };
  }
}

export function isProblem(value: unknown): value is Problem {
  return value instanceof Problem;
}

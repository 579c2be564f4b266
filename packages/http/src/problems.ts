import { errors, isProblem, Problem } from "@openchami/core";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

const PROBLEM_JSON = "application/problem+json";

/**
 * Writes a Problem as RFC 7807 JSON, pre-serialized so no route response schema applies.
 * A Buffer keeps Fastify from appending `; charset=utf-8`: upstream sends the bare type.
 */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type(PROBLEM_JSON)
    .send(Buffer.from(JSON.stringify(problem.toJSON())));
}

/**
 * The Problem an error answers with, or undefined for an unexpected error (a 500 whose
 * cause stays in the log). `goJson` routes report body validation failures as Go's
 * decoder would: `error decoding JSON ...`.
 */
export function toProblem(error: unknown, goJson = false): Problem | undefined {
  if (isProblem(error)) return error;
  if (!isFastifyError(error)) return undefined;
  if (error.validation) {
    const first = error.validation[0];
    const detail = `${error.validationContext ?? "request"}${first?.instancePath ?? ""} ${first?.message ?? "is invalid"}`;
    return goJson && error.validationContext === "body" ? errors.badJson(detail) : errors.badRequest(detail);
  }
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return errors.payloadTooLarge();
  // Fastify's own failures (wrong media type, bad URL, handler timeout) have safe messages.
  const status = error.statusCode ?? 500;
  if (error.code.startsWith("FST_") && status >= 400 && status !== 500)
    return new Problem(status, error.message);
  return undefined;
}

/** Translates errors of a layer below HTTP (e.g. the database's SQLSTATEs) into Problems. */
export type ErrorMapper = (error: unknown) => Problem | undefined;

export function errorHandler(mapError: ErrorMapper | undefined) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const problem = toProblem(error, request.routeOptions.config.goJson === true) ?? mapError?.(error);
    if (problem) return sendProblem(reply, problem);
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, errors.internal());
  };
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === "string";
}

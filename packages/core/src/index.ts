export { type ErrorCatalogue, errors } from "./errors.ts";
export { createLogger, type Logger, type LoggerConfig, silentLogger } from "./logger.ts";
export { isProblem, Problem, type ProblemBody } from "./problem.ts";

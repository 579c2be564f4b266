export { parseBoolean, parseCsv, parseDuration, validateConfig } from "./config.ts";
export {
  ARCHES,
  type Arch,
  CLASSES,
  DEFAULT_FLAG,
  type EnumExtensions,
  type EnumKind,
  type EnumRegistry,
  type EnumValue,
  type ExtensibleKind,
  FLAGS,
  type Flag,
  HMS_TYPES,
  type HMSClass,
  type HMSType,
  NET_TYPES,
  type NetType,
  parseEnum,
  parseHmsConfig,
  ROLES,
  type Role,
  type ServiceValues,
  STATES,
  type State,
  SUB_ROLES,
  type SubRole,
  serviceValues,
  withExtensions,
} from "./enums.ts";
export { type ErrorCatalogue, errors } from "./errors.ts";
export { createLogger, type Logger, type LoggerConfig, silentLogger } from "./logger.ts";
export { macToInterfaceId, normalizeMac } from "./mac.ts";
export { isProblem, Problem, type ProblemBody } from "./problem.ts";
export { isValidXname, normalizeXname, parseXname, xnameParent, xnameType } from "./xname.ts";

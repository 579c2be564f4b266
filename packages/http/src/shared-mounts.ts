import type { FastifyInstance } from "fastify";

/**
 * A service's state shared by every mount its one plugin is registered at (BSS at
 * `/boot/v1` and `/apis/bss/boot/v1`, cloud-init at `/cloud-init` and `/`): started when the
 * first mount registers, closed with the last. Call the returned function first in the plugin.
 */
export function sharedAcrossMounts(lifecycle: {
  start(): Promise<void>;
  close(): Promise<void>;
}): (app: FastifyInstance) => Promise<void> {
  let mounts = 0;
  let started: Promise<void> | undefined;
  return async (app) => {
    mounts++;
    started ??= lifecycle.start();
    await started;
    app.addHook("onClose", async () => {
      if (--mounts === 0) await lifecycle.close();
    });
  };
}

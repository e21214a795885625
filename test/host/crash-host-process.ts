/**
 * A separate process around the engine host, for the crash test: the host boots as the lab host boots
 * it (startWorkerHost: worker_thread, real handlers, real images in MDLAB_WORKSPACE), and requests arrive
 * over IPC. The test kills this whole process with SIGKILL, so the engine never gets to stop the array.
 */
import { startWorkerHost } from '../../core/host/worker';

interface Request {
  id: number;
  name: string;
  params: unknown;
}

const host = startWorkerHost();
process.on('message', (message: Request) => {
  void host.request(message.name, message.params).then((reply) => process.send!({ id: message.id, reply }));
});
process.send!({ ready: true });

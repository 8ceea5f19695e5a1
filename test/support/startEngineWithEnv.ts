// Starts a model process with extra environment variables (the engine's test hooks): fork() copies
// the environment at the call, so they are set for the call only and reach only this child.
import { EngineConnection } from '../../src/host/engine/engineConnection';

export function startEngineWithEnv(enginePath: string, env: Readonly<Record<string, string>>): EngineConnection {
  const previous = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return EngineConnection.start(enginePath);
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

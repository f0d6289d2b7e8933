import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from './config-schema.js';
import { projectPath, readYamlFile, type ConfigProblem } from './yaml-source.js';

/**
 * A problem with one setting of a loaded configuration, located (file:line) where the environment's file, else
 * config/default.yaml, writes it: for checks made after loadConfig, such as a setting this process cannot serve.
 */
export function settingProblem(config: Pick<GatewayConfig, 'rootDir' | 'env'>, pointer: string, message: string): ConfigProblem {
  const files = [join(config.rootDir, 'config', `${config.env}.yaml`), join(config.rootDir, 'config', 'default.yaml')];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const source = readYamlFile(file, { displayName: projectPath(file, config.rootDir) });
    if (source.has(pointer)) return source.problem(pointer, message);
  }
  return { file: projectPath(files[1]!, config.rootDir), pointer, message };
}

import { SlipwayCommand } from './command';
import { costCommand } from './cost/command';
import { diagramCommand } from './diagram/command';
import { createDoctorCommand } from './doctor/doctor-command';
import { createImagesCommand } from './images/images-command';
import { createLogsCommand } from './service-logs/logs-command';
import { createStatusCommand } from './status/status-command';
import { createVerifyCommand } from './verify/verify-command';

/**
 * Every `slipway` sub-command, in the order `slipway --help` lists them.
 * A new command is one factory in its own folder and one line here.
 */
export function defaultCommands(): SlipwayCommand[] {
  return [
    createVerifyCommand(),
    createStatusCommand(),
    createImagesCommand(),
    createDoctorCommand(),
    createLogsCommand(),
    costCommand,
    diagramCommand,
  ];
}

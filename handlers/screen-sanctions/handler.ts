import { parseInput } from '../shared/parse-input';
import { ScreenSanctionsRequest } from './contract';
import { type ScreenSanctionsDeps, screenSanctions } from './screen-sanctions';
import { SimulatedSanctionsScreener } from './simulated-sanctions-screener';

// Replace the simulated screener here to use a real one (see handlers/README.md).
const deps: ScreenSanctionsDeps = { screener: new SimulatedSanctionsScreener() };

export const handler = async (input: unknown) =>
  screenSanctions(parseInput(ScreenSanctionsRequest, input, 'screen-sanctions'), deps);

import { parseInput } from '../shared/parse-input';
import { type AssessRiskDeps, assessRisk } from './assess-risk';
import { AssessRiskRequest } from './contract';
import { bundledCountryRisk } from './country-risk';

const deps: AssessRiskDeps = { countryRisk: bundledCountryRisk };

export const handler = async (input: unknown) =>
  assessRisk(parseInput(AssessRiskRequest, input, 'assess-risk'), deps);

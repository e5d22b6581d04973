import type { AccountRequestedDetail } from '../../events/accounts';
import type { TriggerEvent } from '../../statemachines/data';
import { paths } from '../../statemachines/paths';

describe('typed paths into state data', () => {
  const $ = paths<TriggerEvent<AccountRequestedDetail>>();

  it('renders nested fields as JSONPath', () => {
    expect($.detail.applicant.country.path).toBe('$.detail.applicant.country');
    expect($['detail-type'].path).toBe('$.detail-type');
  });

  it('fails type-checking for a misspelled field (checked by `npm run build`)', () => {
    // @ts-expect-error `usrId` is not a field of Account Requested: tsc rejects the typo.
    expect($.detail.usrId.path).toBe('$.detail.usrId');
  });
});

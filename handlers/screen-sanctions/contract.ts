import { z } from 'zod';
import { AccountRequestedDetail } from '../../events/accounts';

/** Only what screening needs: the document number never reaches the sanctions screener. */
export const ScreeningSubject = AccountRequestedDetail.shape.applicant.pick({
  fullName: true,
  dateOfBirth: true,
  country: true,
});
export type ScreeningSubject = z.infer<typeof ScreeningSubject>;

export const ScreenSanctionsRequest = z.object({
  userId: AccountRequestedDetail.shape.userId,
  applicant: ScreeningSubject,
});
export type ScreenSanctionsRequest = z.infer<typeof ScreenSanctionsRequest>;

export const ScreenSanctionsResponse = z.object({
  hit: z.boolean(),
  listVersion: z.string().min(1).describe('Version of the sanctions list screened against, for audit.'),
  matchedEntryId: z
    .string()
    .min(1)
    .optional()
    .describe('The list entry whose name matched; absent when there is no hit or the hit is an embargo.'),
});
export type ScreenSanctionsResponse = z.infer<typeof ScreenSanctionsResponse>;

/** What a screener answers: this function's response, so a provider maps onto it once. */
export type ScreeningResult = ScreenSanctionsResponse;

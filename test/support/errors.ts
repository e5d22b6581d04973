/** The error `act` throws; fails the test when it throws nothing or throws something that is not an Error. */
export function thrownBy(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('Expected an error, but none was thrown.');
}

/** The error the promise `act` returns rejects with; fails the test when it resolves. */
export async function rejectionOf(act: () => Promise<unknown>): Promise<Error> {
  try {
    await act();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('Expected a rejection, but the promise resolved.');
}

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

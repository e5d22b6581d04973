declare module 'asl-validator' {
  export default function aslValidator(definition: unknown): {
    isValid: boolean;
    errors: { 'Error code': string; Message: string }[];
    errorsText(separator?: string): string;
  };
}

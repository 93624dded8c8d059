/**
 * What a sign-in answers when the password was right but a second factor is
 * needed; the sign-in form asks for the code when it sees exactly this. No
 * server code here: the browser imports it.
 */
export const TWO_FACTOR_REQUIRED = "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";

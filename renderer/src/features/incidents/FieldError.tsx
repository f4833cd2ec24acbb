/** A refusal from the core, shown beside the field it names. */
export const FieldError = ({ label, message }: { label: string; message: string | undefined }) =>
  message ? (
    <p className="error-text" role="alert" aria-label={label}>
      {message}
    </p>
  ) : null

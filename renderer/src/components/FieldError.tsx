/**
 * A refusal from the core, shown beside the field it names: `id` for the field's
 * aria-describedby, `label` to find it by name.
 */
export const FieldError = ({
  id,
  label,
  message,
}: {
  id?: string
  label?: string
  message: string | undefined
}) =>
  message ? (
    <p className="error-text" role="alert" id={id} aria-label={label}>
      {message}
    </p>
  ) : null

import { editorDirty, type RuleEditor } from '../../state/rules-slice'

/** Before the editor shows something else: unsaved text is not thrown away without asking. */
export const confirmDiscard = (editor: RuleEditor | null): boolean =>
  !editor ||
  !editorDirty(editor) ||
  window.confirm(`Discard the unsaved changes to ${editor.file ?? 'the new rule'}?`)

/**
 * loadLazyDialogs imports the dialogs the views load lazily (ContactDialogs, ChatShell), so a test that opens one
 * meets it at once. Otherwise the first opening in a test file waits for Vite to transform the dialog's module,
 * which on a busy machine took longer than findByRole waits (1 s): the test failed on how fast the machine was,
 * not on what the view does. Call it in beforeAll.
 */
export async function loadLazyDialogs(): Promise<void> {
  await Promise.all([
    import('../features/moderation/components/ReportDialog'),
    import('../features/moderation/components/BlockDialog'),
    import('../features/contacts/components/AddContactDialog'),
  ]);
}

"""The form's domain as data: vocabulary, taxonomy, section classifier, issue codes."""

/* The sample operator page's widget settings (embed_example.html): the device and app context
 * an operator's page passes to the widget (docs/widget.md). The desk keeps only the fields
 * the operator allows (WALLETDESK_DEVICE_CONTEXT_FIELDS). A real page would also pass the
 * signed-in user's id and its signature (userId, userHash). */
window.walletdeskSettings = Object.assign(window.walletdeskSettings || {}, {
  context: {
    app_version: "web-demo-1.0",
    platform: "web",
    os: (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "",
    language: navigator.language
  }
});

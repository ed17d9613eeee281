import { registry } from "@web/core/registry";

// From a segment form: open the mailing wizard, check who will receive the
// message, pick a template, preview it for a real client and create the mailing.
registry.category("web_tour.tours").add("clientbase_mailing_wizard_tour", {
    steps: () => [
        {
            content: "Prepare a mailing for the segment",
            trigger: ".o_form_view .o_form_statusbar button:contains('Prepare Mailing')",
            run: "click",
        },
        {
            content: "Two clients of the segment may receive it",
            trigger: ".modal div[name='eligible_count']:contains('2')",
        },
        {
            content: "One client is left out for lack of consent",
            trigger: ".modal div[name='no_consent_count']:contains('1')",
        },
        {
            content: "Pick the email template",
            trigger: ".modal div[name='mail_template_id'] input",
            run: "edit Tour offer",
        },
        {
            trigger: ".ui-autocomplete a:contains('Tour offer')",
            run: "click",
        },
        {
            content: "Open the preview",
            trigger: ".modal a[role='tab']:contains('Preview')",
            run: "click",
        },
        {
            content: "The message is rendered for a real client",
            trigger: ".modal div[name='preview_html']:contains('Hello Tour Client One')",
        },
        {
            content: "Create the mailing",
            trigger: ".modal button[name='action_create_mailing']",
            run: "click",
        },
        {
            content: "The Email Marketing mailing is open",
            trigger: "body:not(:has(.modal)) .o_form_view div[name='mailing_model_id']",
        },
    ],
});

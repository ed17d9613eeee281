import { registry } from "@web/core/registry";

// A marketer previews who would enter the ready win-back journey, sends its first step to
// herself, then switches it on.
registry.category("web_tour.tours").add("clientbase_journey_marketer_tour", {
    steps: () => [
        {
            content: "Open the archived win-back journey",
            trigger: ".o_list_view .o_data_row:contains('Win-back') td[name='name']",
            run: "click",
        },
        {
            content: "Preview who would enter today",
            trigger: ".o_form_view .o_form_statusbar button[name='action_preview']",
            run: "click",
        },
        {
            content: "The lapsed client would enter",
            trigger: ".o_list_view .o_data_row:contains('Tour Lapsed')",
        },
        {
            content: "Back to the journey",
            trigger: ".o_breadcrumb a:contains('Win-back')",
            run: "click",
        },
        {
            content: "Send the first step to me",
            trigger:
                ".o_form_view div[name='step_ids'] .o_data_row:contains('We miss you') button[name='action_send_to_me']",
            run: "click",
        },
        {
            content: "Render it for the lapsed client",
            trigger: ".modal div[name='partner_id'] input",
            run: "edit Tour Lapsed",
        },
        {
            trigger: ".ui-autocomplete a:contains('Tour Lapsed')",
            run: "click",
        },
        {
            content: "Send",
            trigger: ".modal button[name='action_send']",
            run: "click",
        },
        {
            content: "Back to the list of journeys",
            trigger: "body:not(:has(.modal)) .o_breadcrumb a:contains('Journeys')",
            run: "click",
        },
        {
            content: "Switch the win-back journey on",
            trigger: ".o_list_view .o_data_row:contains('Win-back') div[name='active'] input",
            run: "click",
        },
        {
            content: "It is on",
            trigger: ".o_list_view .o_data_row:contains('Win-back') div[name='active'] input:checked",
        },
    ],
});

// A salesperson pauses the journey of his client from the client's card.
registry.category("web_tour.tours").add("clientbase_journey_salesperson_tour", {
    steps: () => [
        {
            content: "Open the Journeys tab",
            trigger: ".o_form_view a[role='tab']:contains('Journeys')",
            run: "click",
        },
        {
            content: "The client is in the win-back journey",
            trigger: "div[name='client_journey_member_ids'] .o_data_row:contains('Win-back')",
        },
        {
            content: "Pause it",
            trigger: "div[name='client_journey_member_ids'] .o_data_row button[name='action_pause']",
            run: "click",
        },
        {
            content: "It is paused: it can be resumed",
            trigger: "div[name='client_journey_member_ids'] .o_data_row button[name='action_resume']",
        },
    ],
});

// A marketer reads a running win-back journey in Russian: its form, then its results by step
// (the step "Call the client" is «Позвонить клиенту», the entry row "Entered" is «Вошли»).
registry.category("web_tour.tours").add("clientbase_journey_form_tour", {
    steps: () => [
        {
            content: "The journey's steps are listed",
            trigger: ".o_form_view div[name='step_ids'] .o_data_row:contains('Позвонить клиенту')",
        },
        {
            content: "Its entrants are counted",
            trigger: ".o_form_view button[name='action_open_members'] .o_stat_value",
        },
    ],
});

registry.category("web_tour.tours").add("clientbase_journey_results_tour", {
    steps: () => [
        {
            content: "Open the journey's results",
            trigger: ".o_form_view button[name='action_open_results']",
            run: "click",
        },
        {
            content: "The results by step: the entry and every step reached",
            trigger: ".o_pivot table tbody tr:contains('Позвонить клиенту')",
            run() {
                const rows = document.querySelectorAll(".o_pivot table tbody tr");
                // the total, the entry (no step) and the four steps (and the code step clientbase_loyalty
                // adds to win-back; the test counts them exactly through the ORM)
                if (rows.length < 6) {
                    throw new Error(`The results show ${rows.length} rows, not the total, the entry and every step`);
                }
            },
        },
        {
            content: "The entry row is labelled, not None",
            trigger: ".o_pivot table tbody tr th:contains('Вошли')",
        },
    ],
});

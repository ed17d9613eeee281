import { registry } from "@web/core/registry";

// The first day with the client base, in Russian (issue 28): the card's header, a colleague's
// client, the funnel's columns and the dashboard, as a salesperson and as the head of sales.
const tours = registry.category("web_tour.tours");
// The steps that wait for a page or a dialog to load allow more than the default 10 s: under
// load, the first one of a login also waits for the assets.
const LOADING = 30000;

function fail(message) {
    throw new Error(message);
}

tours.add("clientbase_fd_card_tour", {
    steps: () => [
        {
            content: "The card opens on the client base's own tab",
            trigger: ".o_form_view .o_notebook .nav-link.active:contains(Покупки и сегменты)",
            timeout: LOADING,
        },
        {
            content: "The header shows the client's stage",
            trigger: ".o_form_statusbar .o_statusbar_status .o_arrow_button_current",
        },
        {
            content: "Under the name: warmth and the client's manager",
            trigger: ".o_clientbase_glance:contains(Менеджер:) .o_field_widget[name=client_warmth]",
        },
        {
            content: "Smart buttons: orders, interactions, opportunities, consents",
            trigger: ".o-form-buttonbox button[name=action_client_open_interactions]",
            run() {
                for (const name of ["action_view_sale_order", "action_view_opportunity", "action_open_client_consents"]) {
                    if (!document.querySelector(`.o-form-buttonbox button[name=${name}]`)) {
                        fail(`The smart button ${name} is missing`);
                    }
                }
                if (document.querySelector(".o_clientbase_hidden_notice")) {
                    fail("The user's own client says it is hidden");
                }
            },
        },
    ],
});

tours.add("clientbase_fd_hidden_card_tour", {
    steps: () => [
        {
            content: "A colleague's client says who handles it",
            trigger: ".o_clientbase_hidden_notice:contains(Клиента ведёт):contains(подробности видят)",
            timeout: LOADING,
        },
        {
            content: "No figure, no stage, no action the user may not take",
            trigger: ".o_form_view .o_form_sheet",
            run() {
                if (document.querySelector(".o_form_statusbar .o_statusbar_status")) {
                    fail("The stage of a colleague's client is shown");
                }
                for (const name of ["action_client_mark_lost", "action_client_handover"]) {
                    if (document.querySelector(`.o_form_statusbar button[name=${name}]`)) {
                        fail(`${name} is offered on a colleague's client`);
                    }
                }
                for (const name of ["action_view_sale_order", "action_view_opportunity", "action_client_open_interactions"]) {
                    if (document.querySelector(`.o-form-buttonbox button[name=${name}]`)) {
                        fail(`The count ${name} is shown on a colleague's client`);
                    }
                }
            },
        },
    ],
});

tours.add("clientbase_fd_funnel_tour", {
    steps: () => [
        {
            content: "Every column of the funnel counts its clients",
            trigger: ".o_kanban_group:not(.o_column_folded) .o_kanban_header .o_clientbase_column_count",
            timeout: LOADING,
            run() {
                const headers = document.querySelectorAll(".o_kanban_group:not(.o_column_folded) .o_kanban_header");
                for (const header of headers) {
                    const column = header.closest(".o_kanban_group");
                    const count = header.querySelector(".o_clientbase_column_count")?.textContent.trim();
                    if (!/^\(\d+\)$/.test(count || "")) {
                        fail(`A column shows no count: ${header.textContent}`);
                    }
                    const cards = column.querySelectorAll(".o_kanban_record:not(.o_kanban_ghost)").length;
                    if (Number(count.slice(1, -1)) !== cards) {
                        fail(`The column counts ${count} but holds ${cards} cards`);
                    }
                    if (!header.querySelector(".o_kanban_counter .o_animated_number, .o_kanban_counter")) {
                        fail("A column shows no sum");
                    }
                }
            },
        },
    ],
});

tours.add("clientbase_fd_dashboard_tour", {
    steps: () => [
        {
            content: "The charts are drawn",
            trigger: ".o_clientbase_dashboard .o-dashboard-action:contains(Клиенты по RFM-сегментам) canvas",
            timeout: LOADING,
        },
        {
            content: "The pivots are filled",
            trigger: ".o_clientbase_dashboard .o-dashboard-action .o_pivot .o_pivot_cell_value",
        },
        {
            content: "Nothing scrolls sideways, nothing is cut off",
            trigger: ".o_clientbase_dashboard .o-dashboard-layout-1-1",
            async run() {
                // let Chart.js finish its resize
                await new Promise((resolve) => setTimeout(resolve, 500));
                const page = document.querySelector(".o_clientbase_dashboard");
                if (page.scrollWidth > page.clientWidth + 1) {
                    fail(`The dashboard scrolls sideways (${page.scrollWidth} > ${page.clientWidth})`);
                }
                for (const column of page.querySelectorAll(".o-dashboard-column")) {
                    if (column.scrollWidth > column.clientWidth + 1) {
                        fail(`A column scrolls sideways (${column.scrollWidth} > ${column.clientWidth})`);
                    }
                }
                for (const tile of page.querySelectorAll(".o-dashboard-action")) {
                    const box = tile.getBoundingClientRect();
                    for (const inner of tile.querySelectorAll("canvas, .o_pivot table, .o_content")) {
                        const rect = inner.getBoundingClientRect();
                        if (rect.right > box.right + 1 || rect.left < box.left - 1) {
                            fail(`${tile.querySelector("h3").textContent.trim()}: drawn outside its tile`);
                        }
                        if (inner.scrollWidth > inner.clientWidth + 1 && inner.tagName !== "CANVAS") {
                            fail(`${tile.querySelector("h3").textContent.trim()}: scrolls sideways`);
                        }
                    }
                }
                const pie = [...page.querySelectorAll(".o-dashboard-action")].find((tile) =>
                    tile.textContent.includes("Клиенты по RFM-сегментам")
                );
                const canvas = pie.querySelector("canvas").getBoundingClientRect();
                if (canvas.height > window.innerHeight * 0.6) {
                    fail(`The RFM pie is oversized (${canvas.height}px on a ${window.innerHeight}px screen)`);
                }
            },
        },
    ],
});

// After login, a client base user lands on the client base (his home action), not in Discuss
tours.add("clientbase_fd_landing_tour", {
    steps: () => [
        {
            content: "The login lands on the Clients list",
            trigger: ".o_breadcrumb .active:contains(Клиенты)",
        },
    ],
});

tours.add("clientbase_fd_landing_mine_tour", {
    steps: () => [
        {
            content: "The login lands on the Clients list",
            trigger: ".o_breadcrumb .active:contains(Клиенты)",
        },
        {
            content: "A salesperson's list opens on his own clients",
            trigger: ".o_searchview_facet:contains(Мои клиенты)",
        },
    ],
});

// The head of sales, in Russian, prepares a mailing for a segment in the client base's wizard:
// it reaches the clients of the segment who consented (any salesperson's), not the others.

tours.add("clientbase_fd_mailing_tour", {
    steps: () => [
        {
            content: "Prepare a mailing for the segment",
            trigger: ".o_form_view .o_form_statusbar button:contains(Подготовить рассылку)",
            timeout: LOADING,
            run: "click",
        },
        {
            content: "The wizard speaks Russian: who will receive it",
            trigger: ".modal .o_form_label:contains(Получат)",
            timeout: LOADING,
        },
        {
            content: "Two clients of the segment consented: a non-zero audience",
            trigger: ".modal div[name='eligible_count']:contains(2)",
        },
        {
            content: "One is left out for lack of consent",
            trigger: ".modal div[name='no_consent_count']:contains(1)",
        },
        {
            content: "Pick the email template",
            trigger: ".modal div[name='mail_template_id'] input",
            run: "edit Весеннее предложение",
        },
        {
            trigger: ".ui-autocomplete a:contains(Весеннее предложение)",
            timeout: LOADING,
            run: "click",
        },
        {
            content: "Open the preview",
            trigger: ".modal a[role='tab']:contains(Предпросмотр)",
            run: "click",
        },
        {
            content: "The message is written for a real client",
            trigger: ".modal div[name='preview_html']:contains(Здравствуйте, Рассылка Клиент)",
            timeout: LOADING,
        },
        {
            content: "Create the mailing",
            trigger: ".modal button[name='action_create_mailing']",
            run: "click",
        },
        {
            content: "The Email Marketing mailing is open",
            trigger: "body:not(:has(.modal)) .o_form_view div[name='mailing_model_id']",
            timeout: LOADING,
        },
    ],
});

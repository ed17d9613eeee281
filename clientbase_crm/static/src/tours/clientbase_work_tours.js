import { registry } from "@web/core/registry";

/** The funnel boards' first steps: search the tour's clients and wait for the board to show only them. */
function searchTourClients() {
    return [
        {
            content: "Find the client",
            trigger: ".o_searchview_input",
            run: "edit Tour",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Wait until the board shows only the searched clients",
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:not(:contains(Tour))))",
        },
    ];
}

// Open a client card, log a call in two clicks, see it counted on the card.
registry.category("web_tour.tours").add("clientbase_log_call_tour", {
    steps: () => [
        {
            content: "Log a call from the client card",
            trigger: ".o_form_view button[name=action_client_log_call]",
            run: "click",
        },
        {
            content: "Choose the result",
            trigger: ".modal .o_field_widget[name=result] select",
            run: 'select "reached"',
        },
        {
            content: "Plan the next step",
            trigger: ".modal .o_field_widget[name=next_step] input",
            run: "edit Send the catalogue",
        },
        {
            content: "Save the call",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The interactions tab lists it",
            trigger: "body:not(:has(.modal)) .o_notebook a.nav-link:contains(Interactions)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=client_interaction_ids] .o_data_row:contains(Send the catalogue)",
        },
    ],
});

// Drag a client from one warmth column to another on the funnel board.
registry.category("web_tour.tours").add("clientbase_warmth_drag_tour", {
    steps: () => [
        ...searchTourClients(),
        {
            content: "The client is cold",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Cold)) .o_kanban_record:contains(Tour Client LLC)",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Hot)))",
        },
        {
            content: "Warmth was computed: confirm setting it by hand",
            trigger: ".modal .modal-body:contains(computed automatically):contains(Hot)",
        },
        {
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Now it is hot, set by hand: dragging it again asks nothing",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:has(.o_column_title:contains(Hot)) .o_kanban_record.o_draggable:contains(Tour Client LLC)",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Warm)))",
        },
        {
            content: "Now it is warm, without a confirmation",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:has(.o_column_title:contains(Warm)) .o_kanban_record.o_draggable:contains(Tour Client LLC)",
        },
    ],
});

// Drop a client into another stage column, then cancel the confirmation: nothing changes.
registry.category("web_tour.tours").add("clientbase_stage_drag_cancel_tour", {
    steps: () => [
        ...searchTourClients(),
        {
            content: "The client is a potential",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Potential)) .o_kanban_record:contains(Tour Client LLC)",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Loyal)))",
        },
        {
            content: "Stage was computed: the board asks first",
            trigger: ".modal .modal-body:contains(stage is computed automatically):contains(Loyal)",
        },
        {
            content: "Cancel",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "The card is back among the potentials",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:has(.o_column_title:contains(Potential)) .o_kanban_record.o_draggable:contains(Tour Client LLC)",
        },
    ],
});

// Drag a client to the Lost column: the board asks why, as the card's "Mark as Lost" does.
registry.category("web_tour.tours").add("clientbase_stage_drag_lost_tour", {
    steps: () => [
        ...searchTourClients(),
        {
            content: "Drag the potential to Lost",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Potential)) .o_kanban_record:contains(Tour Client LLC)",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Lost)))",
        },
        {
            content: "The reason dialog opens for that client",
            trigger: ".modal .o_field_widget[name=partner_ids]:contains(Tour Client LLC)",
        },
        {
            content: "Choose a reason",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Price",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains(Price)",
            run: "click",
        },
        {
            content: "Mark as lost",
            trigger: ".modal .modal-footer button[name=action_mark_lost]",
            run: "click",
        },
        {
            content: "The board shows the client among the lost",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:has(.o_column_title:contains(Lost)) .o_kanban_record:contains(Tour Client LLC)",
        },
    ],
});

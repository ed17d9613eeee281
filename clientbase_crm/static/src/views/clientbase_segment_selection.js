import { registry } from "@web/core/registry";
import { SelectionField, selectionField } from "@web/views/fields/selection/selection_field";

/**
 * The stage or warmth a user sets by hand on his client's card: every value but "Handled by
 * colleagues", which says of another manager's client that it is hidden (a group of the Clients
 * list) and is never set on one (the server refuses it too).
 */
export class ClientbaseSegmentSelectionField extends SelectionField {
    get options() {
        return super.options.filter((option) => option[0] !== "hidden");
    }
}

registry.category("fields").add("clientbase_segment_selection", {
    ...selectionField,
    component: ClientbaseSegmentSelectionField,
});
